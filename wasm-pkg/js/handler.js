// The route helper and its dedupe stores: verify, claim the delivery, run the handler for its
// type, then mark it done (or release it when the handler throws, so the provider's retry runs
// it again). Works in any runtime with `Request` and `Response`.
import { readBody, verify, WebhookError } from "./api.js";

/** A delivery whose handler finished: repeats within the store's window are duplicates. */
const DONE = "done";
const DEFAULT_TTL_SECONDS = 3 * 86400;
const DEFAULT_LEASE_SECONDS = 60;

/** The one place a refusal becomes a response: the status, and `{"error": code}`. */
function refusal(code, status) {
  return Response.json({ error: code }, { status });
}

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Settles `promises`; each failure goes to `report`. */
async function settle(promises, report) {
  const failures = (await Promise.allSettled(promises)).filter((r) => r.status === "rejected");
  for (const failure of failures) await report(failure.reason);
}

/**
 * Claims every key of a delivery (its idempotency key, and its replay key when it has one): a
 * duplicate if any was done, in flight if any is in flight; the keys claimed here are released
 * unless all were claimed (and if the store fails midway). Returns the outcome and the keys it
 * holds.
 */
async function claimAll(store, keys, token, leaseMs, report) {
  const held = [];
  let outcome = "claimed";
  try {
    for (const key of keys) {
      const claim = await store.claim(key, token, leaseMs);
      if (claim === "claimed") held.push(key);
      else if (claim === "duplicate") outcome = "duplicate";
      else if (outcome === "claimed") outcome = claim;
    }
  } catch (error) {
    await report(error);
    outcome = "store_failed";
  }
  if (outcome !== "claimed") {
    await settle(held.map((key) => store.release(key, token)), report);
    return { outcome, held: [] };
  }
  return { outcome, held };
}

/**
 * Renews the claims on `keys` every third of the lease while a handler runs (stores with
 * `extend`), so that a slow handler keeps its claim and a retry meanwhile is told it is in
 * flight. Returns the function that stops it.
 */
function keepClaimed(store, keys, token, leaseMs, report) {
  if (typeof store.extend !== "function") return () => {};
  const timer = setInterval(() => {
    for (const key of keys) Promise.resolve(store.extend(key, token, leaseMs)).catch(report);
  }, leaseMs / 3);
  return () => clearInterval(timer);
}

function positive(name, value) {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new TypeError(`${name} must be a positive number of seconds, not ${value}`);
  }
  return value;
}

/**
 * A `Request` -> `Response` function that verifies, deduplicates and dispatches webhooks.
 * `on` maps an event type to its handler; `"*"` handles every other type. A handler may return
 * a `Response` to answer with; otherwise the answer is `{ received: true, duplicate: false, type }`.
 *
 * A delivery is deduplicated by its `idempotencyKey` and, where the verified result has one,
 * its `replayKey` (a key over the signed body, for providers whose delivery id is not
 * signed): a duplicate if either was seen. It is done once its handler answers 2xx (or
 * returns no `Response`); a handler that throws or answers otherwise releases it, so that the
 * provider's retry runs it again.
 */
export function webhookHandler({
  scheme,
  secret,
  store,
  on,
  toleranceSeconds,
  url,
  allowShortSecrets,
  leaseSeconds = DEFAULT_LEASE_SECONDS,
  onError = console.error,
}) {
  if (!store || typeof store.claim !== "function") throw new TypeError("webhookHandler: `store` is required (memoryStore() or redisStore(client))");
  const leaseMs = positive("leaseSeconds", leaseSeconds) * 1000;
  // Unset or empty environment variables (a rotation's previous secret) are left out.
  const secrets = Array.isArray(secret) ? secret.filter((s) => s != null && s !== "") : secret;
  return async function handle(request) {
    let event;
    try {
      const body = await readBody(request);
      event = verify({ scheme, headers: request.headers, body, secret: secrets, toleranceSeconds, url, allowShortSecrets });
    } catch (error) {
      if (error instanceof WebhookError) return refusal(error.code, error.status);
      throw error;
    }
    // What goes wrong after the claim is told, never thrown: the answer stands.
    const report = async (error) => {
      try {
        await onError(error, event);
      } catch {}
    };
    const keys = event.replayKey === undefined ? [event.idempotencyKey] : [event.idempotencyKey, event.replayKey];
    const token = randomToken();
    const { outcome, held } = await claimAll(store, keys, token, leaseMs, report);
    if (outcome === "duplicate") return Response.json({ received: true, duplicate: true });
    // The store cannot say whether it ran: the provider retries later.
    if (outcome === "store_failed") return refusal("store_unavailable", 503);
    // Another attempt is running it now: answer an error so the provider retries later.
    if (outcome !== "claimed") return refusal("in_flight", 409);
    const type = event.type ?? "";
    const handler = Object.hasOwn(on ?? {}, type) ? on[type] : on?.["*"];
    const stop = keepClaimed(store, held, token, leaseMs, report);
    let answer;
    try {
      answer = await handler?.(event, request);
    } catch (error) {
      stop();
      await settle(held.map((key) => store.release(key, token)), report);
      await report(error);
      return refusal("handler_failed", 500);
    }
    stop();
    if (answer instanceof Response && !answer.ok) {
      await settle(held.map((key) => store.release(key, token)), report);
      return answer;
    }
    // The handler ran: if the store cannot record it, a retry after the lease runs it again,
    // which an error answer would only hasten.
    await settle(held.map((key) => store.complete(key, token)), report);
    return answer instanceof Response ? answer : Response.json({ received: true, duplicate: false, type: event.type });
  };
}

/**
 * Claims in this process's memory: at most `max` keys (the oldest are forgotten first), done
 * keys for `ttlSeconds`. Not shared between processes or instances: use `redisStore` for that.
 */
export function memoryStore({ max = 10_000, ttlSeconds = DEFAULT_TTL_SECONDS } = {}) {
  if (!(Number.isInteger(max) && max > 0)) throw new TypeError(`memoryStore: max must be a positive whole number, not ${max}`);
  positive("memoryStore: ttlSeconds", ttlSeconds);
  const entries = new Map();
  const live = (key) => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expires <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  const put = (key, value, ms) => {
    entries.delete(key);
    while (entries.size >= max) entries.delete(entries.keys().next().value);
    entries.set(key, { value, expires: Date.now() + ms });
  };
  return {
    async claim(key, token, leaseMs) {
      const entry = live(key);
      if (entry !== undefined) return entry.value === DONE ? "duplicate" : "in_flight";
      put(key, token, leaseMs);
      return "claimed";
    },
    async complete(key) {
      put(key, DONE, ttlSeconds * 1000);
    },
    async extend(key, token, leaseMs) {
      if (live(key)?.value === token) put(key, token, leaseMs);
    },
    async release(key, token) {
      if (live(key)?.value === token) entries.delete(key);
    },
  };
}

/** Deletes the key only while it still holds this claim's token. */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/** Renews the lease only while the key still holds this claim's token. */
const EXTEND = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

/**
 * Claims in Redis, shared by every process: `SET key token NX PX lease` claims, `SET key done
 * PX ttl` completes, and a release deletes the key only if it still holds the claim's token.
 * Takes a connected node-redis (v4+) or ioredis client.
 */
export function redisStore(client, { ttlSeconds = DEFAULT_TTL_SECONDS, prefix = "hookguard:" } = {}) {
  positive("redisStore: ttlSeconds", ttlSeconds);
  // ioredis: call(name, ...args); node-redis: sendCommand([name, ...args]).
  const command = typeof client.call === "function" ? (args) => client.call(...args) : (args) => client.sendCommand(args);
  return {
    async claim(key, token, leaseMs) {
      const id = prefix + key;
      if ((await command(["SET", id, token, "NX", "PX", String(Math.ceil(leaseMs))])) === "OK") return "claimed";
      return (await command(["GET", id])) === DONE ? "duplicate" : "in_flight";
    },
    async complete(key) {
      await command(["SET", prefix + key, DONE, "PX", String(Math.ceil(ttlSeconds * 1000))]);
    },
    async extend(key, token, leaseMs) {
      await command(["EVAL", EXTEND, "1", prefix + key, token, String(Math.ceil(leaseMs))]);
    },
    async release(key, token) {
      await command(["EVAL", RELEASE, "1", prefix + key, token]);
    },
  };
}
