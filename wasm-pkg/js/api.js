// The public API of the `hookguard` npm package. Every entry point (node.mjs, node.cjs,
// workerd.mjs, edge-light.mjs, browser.mjs) initialises the wasm module its own way, then
// hands its exports to `attach`; everything below is synchronous and uses no runtime
// globals beyond TextEncoder, TextDecoder and crypto.getRandomValues.
import { Verifier as NativeVerifier, describeScheme as nativeDescribe, runToken as nativeRunToken } from "./hookguard_wasm.js";

/** Every built-in scheme's name, in the core's order (set when the module is attached). */
export let SCHEMES = Object.freeze([]);

/** Thrown for every refusal: `code` is hookguard's stable code, `status` the HTTP status. */
export class WebhookError extends Error {
  constructor(code, status, message = code, field = undefined) {
    super(message);
    this.name = "WebhookError";
    this.code = code;
    this.status = status;
    // `invalid_scheme`: the custom scheme description's bad field.
    if (field !== undefined) this.field = field;
  }
}

const ABSENT = 0xffffffff;
const MAX_VERIFIERS = 32;
/** `now` past this (the year 5138 in seconds) is taken for milliseconds (1e11 ms is in 1973). */
const MAX_SECONDS = 1e11;
/** No scheme's headers come near this; longer values are refused before they are copied. */
const MAX_HEADER_CHARS = 8 * 1024;
const encoder = new TextEncoder();
// Not fatal: invalid UTF-8 becomes U+FFFD, exactly as the core decodes strings.
const decoder = new TextDecoder();

let wasm;
let resultsAddress = 0;
/**
 * The core's scheme names, its body limit (`maxBody`, refused here before anything is copied
 * into wasm memory) and the refusals made here (`errors.*`: `{ code, status }`).
 */
let core;
/**
 * Verifiers by scheme, options and a SHA-256 of the secrets (never the secrets), least
 * recently used first: keyed HMAC states are built once.
 */
const verifiers = new Map();

/** node:crypto's `createHmac`, where the runtime has it (Node, Deno, Bun): see `macWith`. */
let createHmac;

/**
 * Bodies of at least this many bytes have their MAC computed by `createHmac`; shorter ones by
 * the wasm's SHA-256, which is faster there. A call into node:crypto costs about 2.7 us more
 * than the wasm's fixed cost, and its speed per byte (1.3 ns against 3.4 in wasm) makes that
 * up from about 1.3 KB: verify + parse measured 0.95x the native path's time at 1,033 bytes
 * and 1.12x at 2,047 in wasm (Node 20, the benchmark machine; 0.68x at 256 bytes).
 */
const NATIVE_MAC_FROM = 1280;
let nativeMacFrom = NATIVE_MAC_FROM;

/**
 * Takes the initialised wasm exports; `native.createHmac` (node:crypto's), if given, computes
 * the MACs of bodies from `NATIVE_MAC_FROM` bytes on, and the core does everything else.
 * `native.mac` (the tests' HOOKGUARD_MAC) overrides that: `"wasm"` leaves every MAC to the
 * wasm, `"native"` none.
 */
export function attach(exports, native = {}) {
  wasm = exports;
  resultsAddress = wasm.results();
  createHmac = native.mac === "wasm" ? undefined : native.createHmac;
  nativeMacFrom = native.mac === "native" ? 0 : NATIVE_MAC_FROM;
  core = wasm.constants();
  SCHEMES = Object.freeze(core.schemes);
}

/** A view of the wasm memory, made anew only when the memory has grown. */
let memoryView = new Uint8Array(0);
function memoryBytes() {
  if (memoryView.buffer !== wasm.memory.buffer) memoryView = new Uint8Array(wasm.memory.buffer);
  return memoryView;
}

function refuse({ code, status }) {
  throw new WebhookError(code, status);
}

/**
 * The MAC function `Verifier.verify` calls: HMAC-SHA256 under the core's key for secret `index`
 * over the wasm memory spans the core names (`[address, length, ...]`), by the native crypto,
 * written into `out` (a view of the core's tag buffer); returns the bytes written.
 */
function macWith(keys) {
  return (index, spans, out) => {
    const hmac = createHmac("sha256", keys[index]);
    const memory = memoryBytes();
    for (let i = 0; i < spans.length; i += 2) {
      if (spans[i + 1] !== 0) hmac.update(memory.subarray(spans[i], spans[i] + spans[i + 1]));
    }
    const tag = hmac.digest();
    out.set(tag);
    return tag.length;
  };
}

function rethrow(error) {
  if (error && typeof error === "object" && typeof error.code === "string" && typeof error.status === "number") {
    throw new WebhookError(error.code, error.status, error.message ?? error.code, error.field);
  }
  throw error;
}

/**
 * A scheme option as the core takes it: a built-in scheme's name, or a custom scheme's `id`
 * and the rest of its description as JSON text (`Spec::from_json` in the core).
 */
function schemeOf(scheme) {
  if (typeof scheme === "string") return { name: scheme, description: undefined };
  if (scheme === null || typeof scheme !== "object" || Array.isArray(scheme)) {
    throw new WebhookError("unknown_scheme", 500, "unknown_scheme: a scheme is a name or a description object");
  }
  const { id, ...rest } = scheme;
  if (typeof id !== "string") {
    throw new WebhookError("invalid_scheme", 500, "invalid_scheme: invalid scheme field `id`: a custom scheme needs a string id", "id");
  }
  let description;
  try {
    description = JSON.stringify(rest);
  } catch (error) {
    // A BigInt, a cycle, a throwing toJSON: not a description, as a value of the wrong type is not.
    throw new WebhookError("invalid_scheme", 500, `invalid_scheme: invalid scheme field \`json\`: not JSON (${error?.message ?? error})`, "json");
  }
  return { name: id, description };
}

function secretsOf(secret) {
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0 || !secrets.every((s) => typeof s === "string")) {
    refuse(core.errors.invalidSecret);
  }
  return secrets;
}

/** The cache key: scheme, options and the SHA-256 of the secrets, hashed in wasm memory. */
function cacheKey(settings, secrets) {
  // Unambiguous: ["a", "b"] and "a\u0000b" are different keys.
  const text = JSON.stringify(secrets);
  const start = wasm.input(text.length * 3);
  const { written } = encoder.encodeInto(text, memoryBytes().subarray(start, start + text.length * 3));
  const address = wasm.fingerprint(written);
  return `${settings} ${String.fromCharCode(...memoryBytes().subarray(address, address + 32))}`;
}

/**
 * The last lookup: a route that verifies with the same (built-in) scheme, options and secrets
 * each time hashes them once.
 */
let last = { scheme: undefined, options: {}, secrets: [], entry: undefined };

/**
 * The verifier for a scheme (a name or a custom description), its secrets and options
 * (`toleranceSeconds`, `url`, `allowShortSecrets`), built once and cached.
 */
function verifierFor(scheme, secret, options = {}) {
  const { toleranceSeconds, allowShortSecrets } = options;
  // Text now: a URL object changed in place since the last call is another URL.
  const url = options.url == null ? undefined : String(options.url);
  const secrets = secretsOf(secret);
  const same = last.secrets.length === secrets.length && secrets.every((s, i) => s === last.secrets[i]);
  const o = last.options;
  // A description object may have changed since: only names are compared by identity.
  if (same && typeof scheme === "string" && last.scheme === scheme && o.toleranceSeconds === toleranceSeconds && o.url === url && o.allowShortSecrets === allowShortSecrets) {
    return last.entry;
  }
  const { name, description } = schemeOf(scheme);
  // No tolerance: the scheme's own default (NaN tells the core so).
  const tolerance = typeof toleranceSeconds === "number" ? toleranceSeconds : NaN;
  const settings = JSON.stringify([name, description ?? null, String(tolerance), url ?? null, allowShortSecrets === true]);
  const key = cacheKey(settings, secrets);
  let entry = verifiers.get(key);
  if (entry === undefined) {
    let native;
    let keys;
    try {
      native = new NativeVerifier(name, description, secrets, tolerance, url, allowShortSecrets === true);
      // HMAC-SHA256 schemes only: the core computes SHA-1 MACs and Ed25519 itself.
      keys = createHmac ? native.macKeys(secrets) : undefined;
    } catch (error) {
      native?.free();
      rethrow(error);
    }
    entry = { native, name, names: Array.from(native.headerNames()), mac: keys ? macWith(Array.from(keys)) : undefined };
    if (verifiers.size >= MAX_VERIFIERS) {
      const [oldest, old] = verifiers.entries().next().value;
      old.native.free();
      verifiers.delete(oldest);
    }
  } else {
    verifiers.delete(key);
  }
  verifiers.set(key, entry);
  last = { scheme, options: { toleranceSeconds, url, allowShortSecrets }, secrets: [...secrets], entry };
  return entry;
}

/**
 * Whether `value` is an ArrayBuffer or a SharedArrayBuffer, of this realm or another (a vm
 * context, an iframe): by its tag, then by the brand check of the type's `byteLength` getter,
 * which neither `instanceof` (false for another realm's) nor a forged `Symbol.toStringTag` fools.
 */
const bufferLengthGetters = [globalThis.ArrayBuffer, globalThis.SharedArrayBuffer]
  .filter((type) => typeof type === "function")
  .map((type) => Object.getOwnPropertyDescriptor(type.prototype, "byteLength").get);
function isBuffer(value) {
  const tag = Object.prototype.toString.call(value);
  if (tag !== "[object ArrayBuffer]" && tag !== "[object SharedArrayBuffer]") return false;
  return bufferLengthGetters.some((byteLength) => {
    try {
      byteLength.call(value);
      return true;
    } catch {
      return false;
    }
  });
}

function bytesOf(body) {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return encoder.encode(body);
  // Any realm's views (ArrayBuffer.isView checks the internal slot, not the prototype).
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (isBuffer(body)) return new Uint8Array(body);
  throw new WebhookError("invalid_body", 400);
}

/** A header's value as text: arrays joined, null and undefined absent, anything else `String`. */
function headerText(value) {
  if (Array.isArray(value)) return value.join(", ");
  return value == null ? undefined : String(value);
}

/**
 * A header's value from a `Headers` (or any object with a `get`) or a plain object (any case;
 * arrays joined), always text: `load` reserves room by its length.
 */
function headerOf(headers, name) {
  if (headers == null) return undefined;
  if (typeof headers.get === "function") return headerText(headers.get(name));
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  return headerText(value);
}

/**
 * Copies the header values and the body (bytes, or a string encoded straight into wasm memory)
 * into wasm memory; returns the header lengths and where the body's bytes are.
 */
function load(names, headers, body) {
  // A string of n UTF-16 units is at least n bytes of UTF-8: longer is too large either way.
  if (body.length > core.maxBody) refuse(core.errors.payloadTooLarge);
  const values = names.map((name) => headerOf(headers, name));
  if (values.some((v) => v !== undefined && v.length > MAX_HEADER_CHARS)) {
    refuse(core.errors.malformedSignature);
  }
  const isText = typeof body === "string";
  const room = values.reduce((sum, v) => sum + (v === undefined ? 0 : v.length * 3), 0) + body.length * (isText ? 3 : 1);
  // Every value is text and the body bytes or text, so `room` is a whole number; were it ever
  // not, nothing could be written past what `input` reserved (below).
  if (!Number.isSafeInteger(room)) refuse(core.errors.payloadTooLarge);
  const start = wasm.input(room);
  const end = start + room;
  // Read the memory after `input`: growing it replaces the buffer.
  const memory = memoryBytes();
  let offset = start;
  const lengths = [ABSENT, ABSENT, ABSENT, ABSENT, ABSENT];
  // Each write is confined to the reservation: at most 3 bytes per UTF-16 unit, never past `end`.
  const write = (value) => encoder.encodeInto(value, memory.subarray(offset, Math.min(offset + value.length * 3, end))).written;
  values.forEach((value, i) => {
    if (value === undefined) return;
    lengths[i] = write(value);
    offset += lengths[i];
  });
  if (isText) return { lengths, bodyStart: offset, bodyLength: write(body) };
  if (body.length > end - offset) refuse(core.errors.payloadTooLarge);
  memory.set(body, offset);
  return { lengths, bodyStart: offset, bodyLength: body.length };
}

function text(memory, address, length) {
  return address === 0 ? undefined : decoder.decode(memory.subarray(address, address + length));
}

/**
 * Verifies a webhook synchronously, then parses it.
 * @returns {{ scheme, type, id, idempotencyKey, replayKey?, timestamp?, deliveryId?, data }}
 * @throws {WebhookError}
 */
export function verify({ scheme, headers, body, secret, toleranceSeconds, url, allowShortSecrets, now }) {
  const { native, name, names, mac } = verifierFor(scheme, secret, { toleranceSeconds, url, allowShortSecrets });
  const { lengths, bodyStart, bodyLength } = load(names, headers, typeof body === "string" ? body : bytesOf(body));
  const [h0, h1, h2, h3, h4] = lengths;
  const seconds = now ?? Math.floor(Date.now() / 1000);
  try {
    native.verify(h0, h1, h2, h3, h4, bodyLength, seconds, bodyLength >= nativeMacFrom ? mac : undefined);
  } catch (error) {
    rethrow(error);
  }
  const memory = memoryBytes();
  const r = new Uint32Array(memory.buffer, resultsAddress, 13);
  const result = {
    scheme: name,
    type: text(memory, r[0], r[1]),
    id: text(memory, r[2], r[3]),
    idempotencyKey: text(memory, r[4], r[5]),
  };
  const deliveryId = text(memory, r[6], r[7]);
  if (deliveryId !== undefined) result.deliveryId = deliveryId;
  const replayKey = text(memory, r[11], r[12]);
  if (replayKey !== undefined) result.replayKey = replayKey;
  if (r[8] === 1) result.timestamp = r[9] + r[10] * 2 ** 32;
  // The core has checked that the bytes are one JSON object; the runtime's parser builds it
  // from the verified bytes, or from the string they were encoded from when that string is
  // well-formed (then decoding them gives it back exactly, so it needs no decoding).
  const verifiedText = typeof body === "string" && body.isWellFormed?.() ? body : decoder.decode(memory.subarray(bodyStart, bodyStart + bodyLength));
  result.data = JSON.parse(verifiedText);
  return result;
}

/**
 * Reads a `Request`'s raw body once and verifies it: a drop-in for `webhooks.constructEvent`
 * from `@trigger.dev/sdk` (scheme "trigger" by default), except that a correctly signed event
 * of a type the SDK does not know is returned, not rejected.
 */
export async function constructEvent(request, secret, options = {}) {
  const body = await readBody(request);
  return verify({ ...options, scheme: options.scheme ?? "trigger", headers: request.headers, body, secret });
}

/**
 * A `Request`'s body, refused (`payload_too_large`) as soon as it is known to exceed the core's
 * limit: from Content-Length before reading, then from the bytes read (a missing or lying
 * length), so that an unauthenticated sender cannot make this hold more than the limit. Used by
 * `constructEvent` and `webhookHandler`.
 */
export async function readBody(request) {
  const tooLarge = (length) => length > core.maxBody;
  if (tooLarge(Number(request.headers.get("content-length") ?? 0))) refuse(core.errors.payloadTooLarge);
  if (request.body === null) return new Uint8Array(0);
  const chunks = [];
  let length = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.length;
    if (tooLarge(length)) {
      reader.cancel().catch(() => {});
      refuse(core.errors.payloadTooLarge);
    }
    chunks.push(read.value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(length);
  chunks.reduce((offset, chunk) => (body.set(chunk, offset), offset + chunk.length), 0);
  return body;
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `msg_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The headers a provider would send with `body`, signed with `secret` (the first, if several):
 * for tests and local development. `id` defaults to a random message id, `timestamp` to now
 * (Unix seconds); `url` for schemes that sign it (Square). Ed25519 schemes (Discord) cannot
 * sign: their secret is a public key (`unsupported_algorithm`).
 * @returns {Record<string, string>}
 */
export function sign({ scheme, secret, body, id, timestamp, url, allowShortSecrets }) {
  // wasm-bindgen copies a string by its length: nothing else may reach it.
  if (id != null && typeof id !== "string") throw new TypeError("sign: `id` must be a string");
  const [key] = secretsOf(secret);
  const bytes = bytesOf(body);
  // Before the body is copied in: a new verifier's cache key is hashed in the same buffer.
  const { native } = verifierFor(scheme, key, { url, allowShortSecrets });
  const start = wasm.input(bytes.length);
  new Uint8Array(wasm.memory.buffer).set(bytes, start);
  let pairs;
  try {
    pairs = native.sign(bytes.length, id ?? randomId(), timestamp ?? Math.floor(Date.now() / 1000));
  } catch (error) {
    rethrow(error);
  }
  return Object.fromEntries(pairs);
}

/**
 * What a scheme signs and how, in the description format of custom schemes (with its `id`):
 * a built-in scheme by name, or a custom description, checked. Passed back as `scheme` under
 * another `id`, it verifies what the scheme verifies.
 */
export function describeScheme(scheme) {
  const { name, description } = schemeOf(scheme);
  try {
    return nativeDescribe(name, description);
  } catch (error) {
    rethrow(error);
  }
}

/**
 * A token for the edge worker's live route (`/api/v2/runs/{runId}/live`): it lets a browser
 * watch `runId` for `ttlSeconds` (default one hour), and nothing else. Mint it on your server
 * with the `LIVE_TOKEN_SECRET` the worker has.
 */
export function runToken({ runId, secret, ttlSeconds = 3600, now = Math.floor(Date.now() / 1000) } = {}) {
  if (typeof runId !== "string" || !runId) throw new TypeError("runToken needs a runId");
  // A missing secret (an unset environment variable) is refused below as an empty one; any
  // other non-string never reaches wasm-bindgen, which copies a string by its length.
  if (secret != null && typeof secret !== "string") throw new TypeError("runToken: `secret` must be a string");
  for (const [name, value] of [["ttlSeconds", ttlSeconds], ["now", now]]) {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`runToken: \`${name}\` must be a finite number of seconds`);
  }
  if (now > MAX_SECONDS) throw new TypeError("runToken: `now` is Unix seconds, not milliseconds");
  // Unset (a missing environment variable) is refused as the core refuses a short or blank one.
  if (secret == null) refuse(core.errors.invalidSecret);
  try {
    return nativeRunToken(secret, runId, now + ttlSeconds);
  } catch (error) {
    // The core's `{ code, status }` as a WebhookError; anything else as it is.
    rethrow(error);
  }
}
