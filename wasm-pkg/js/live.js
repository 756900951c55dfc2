// watchRun: a run's statuses pushed by the edge worker's live route, for browsers and any
// runtime with a WebSocket. No wasm here, so client bundles can import `hookguard/live`
// alone.

/** Statuses after which a run never changes: the watch ends there. */
const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED", "CRASHED", "SYSTEM_FAILURE", "EXPIRED", "TIMED_OUT"]);

/**
 * Watches one run: `onStatus` gets the current status at once (`{ status: null }` before the
 * first event), then every update. Reconnects with exponential backoff and jitter after a
 * drop (each connection starts with the current status, so nothing is missed), stops after a
 * terminal status, and returns a function that stops it.
 */
export function watchRun(url, { runId, token, onStatus, onError, minDelayMs = 500, maxDelayMs = 30_000, WebSocket: Socket = globalThis.WebSocket } = {}) {
  if (typeof Socket !== "function") throw new TypeError("watchRun needs a WebSocket: globalThis.WebSocket, or the WebSocket option");
  if (!runId || !token) throw new TypeError("watchRun needs { runId, token }");
  const base = String(url).replace(/\/+$/, "").replace(/^http/, "ws");
  const address = `${base}/api/v2/runs/${encodeURIComponent(runId)}/live?token=${encodeURIComponent(token)}`;
  let stopped = false;
  let socket;
  let timer;
  let failures = 0;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    if (socket && socket.readyState <= 1) socket.close(1000);
  };

  const connect = () => {
    if (stopped) return;
    socket = new Socket(address);
    socket.onmessage = (event) => {
      failures = 0;
      let status;
      try {
        status = JSON.parse(event.data);
      } catch (error) {
        onError?.(error);
        return;
      }
      onStatus?.(status);
      if (TERMINAL.has(status.status)) stop();
    };
    socket.onerror = (event) => onError?.(event);
    socket.onclose = () => {
      if (stopped) return;
      // Full jitter over an exponential step, so that watchers do not come back at once.
      const step = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(failures++, 16));
      timer = setTimeout(connect, step / 2 + Math.random() * (step / 2));
    };
  };

  connect();
  return stop;
}
