// watchRun: a run's statuses pushed by the edge worker's live route, for browsers and any
// runtime with a WebSocket. No wasm here, so client bundles can import `hookguard/live`
// alone.

/** Statuses after which a run never changes: the watch ends there. */
const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED", "CRASHED", "SYSTEM_FAILURE", "EXPIRED", "TIMED_OUT"]);

/**
 * Close codes that end the watch instead of a reconnection: 1000, the worker's close after a
 * terminal status ("run finished"); 1008, a policy close (the token has expired), which
 * reconnecting with the same token cannot cure.
 */
const NORMAL_CLOSE = 1000;
const POLICY_CLOSE = 1008;

/**
 * A connection open this long (or `maxDelayMs`, if shorter) was a working one: the backoff
 * starts over after it drops. Its first message alone proves nothing (a worker that sends the
 * current status and then fails would be reconnected to at the shortest delay forever).
 */
const STABLE_MS = 10_000;

function delayOption(name, value) {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`watchRun: ${name} must be a finite number of milliseconds above 0`);
  }
}

/**
 * Watches one run: `onStatus` gets the current status at once (`{ status: null }` before the
 * first event), then every update. Reconnects with exponential backoff and jitter after a
 * drop (each connection starts with the current status, so nothing is missed), stops after a
 * terminal status or a close with 1000 or 1008 (reported to `onError`), and returns a function
 * that stops it.
 */
export function watchRun(url, { runId, token, onStatus, onError, minDelayMs = 500, maxDelayMs = 30_000, WebSocket: Socket = globalThis.WebSocket } = {}) {
  if (typeof Socket !== "function") throw new TypeError("watchRun needs a WebSocket: globalThis.WebSocket, or the WebSocket option");
  if (!runId || !token) throw new TypeError("watchRun needs { runId, token }");
  delayOption("minDelayMs", minDelayMs);
  delayOption("maxDelayMs", maxDelayMs);
  if (minDelayMs > maxDelayMs) throw new TypeError("watchRun: minDelayMs must not exceed maxDelayMs");
  const stableMs = Math.min(maxDelayMs, STABLE_MS);
  const base = String(url).replace(/\/+$/, "").replace(/^http/, "ws");
  const address = `${base}/api/v2/runs/${encodeURIComponent(runId)}/live?token=${encodeURIComponent(token)}`;
  let stopped = false;
  let socket;
  let timer;
  let failures = 0;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    if (socket && socket.readyState <= 1) socket.close(NORMAL_CLOSE);
  };

  const connect = () => {
    if (stopped) return;
    const current = new Socket(address);
    socket = current;
    // Events of a socket this watch has left (stopped, or replaced) are not its own.
    const live = () => !stopped && current === socket;
    let openedAt;
    let messages = 0;
    const opened = () => {
      openedAt ??= Date.now();
    };
    current.onopen = opened;
    current.onmessage = (event) => {
      if (!live()) return;
      opened();
      let status;
      try {
        status = JSON.parse(event.data);
      } catch (error) {
        onError?.(error);
        return;
      }
      if (status === null || typeof status !== "object" || Array.isArray(status)) {
        onError?.(new TypeError("watchRun: the live route sent a message that is not a JSON object"));
        return;
      }
      const terminal = TERMINAL.has(status.status);
      // Stopped before onStatus runs, so that nothing it throws can keep the watch going.
      if (terminal) stop();
      // An update after the connection's first status: it works, the backoff starts over.
      else if (++messages > 1) failures = 0;
      try {
        onStatus?.(status);
      } catch (error) {
        if (!onError) throw error;
        onError(error);
      }
    };
    current.onerror = (event) => {
      if (live()) onError?.(event);
    };
    current.onclose = (event) => {
      if (!live()) return;
      const code = event?.code;
      if (code === NORMAL_CLOSE || code === POLICY_CLOSE) {
        stopped = true;
        if (code === POLICY_CLOSE) {
          const reason = event.reason ?? "";
          onError?.(Object.assign(new Error(`watchRun: the live route ended the watch (1008 ${reason || "policy"}): a new token is needed`), { closeCode: code, reason }));
        }
        return;
      }
      if (openedAt !== undefined && Date.now() - openedAt >= stableMs) failures = 0;
      // Full jitter over an exponential step, so that watchers do not come back at once.
      const step = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(failures++, 16));
      timer = setTimeout(connect, step / 2 + Math.random() * (step / 2));
    };
  };

  connect();
  return stop;
}
