// The public API of the `hookguard` npm package. Every entry point (node.mjs, node.cjs,
// workerd.mjs, edge-light.mjs, browser.mjs) initialises the wasm module its own way, then
// hands its exports to `attach`; everything below is synchronous and uses no runtime
// globals beyond TextEncoder, TextDecoder and crypto.getRandomValues.
import { Verifier as NativeVerifier, sign as nativeSign } from "./hookguard_wasm.js";

export const SCHEMES = Object.freeze(["trigger", "standard", "svix", "stripe", "github", "slack", "shopify"]);

/** Thrown for every refusal: `code` is hookguard's stable code, `status` the HTTP status. */
export class WebhookError extends Error {
  constructor(code, status) {
    super(code);
    this.name = "WebhookError";
    this.code = code;
    this.status = status;
  }
}

const ABSENT = 0xffffffff;
const MAX_VERIFIERS = 32;
/** The core's body limit: refused here before anything is copied into wasm memory. */
const MAX_BODY = 1024 * 1024;
/** No scheme's headers come near this; longer values are refused before they are copied. */
const MAX_HEADER_CHARS = 8 * 1024;
const encoder = new TextEncoder();
// Not fatal: invalid UTF-8 becomes U+FFFD, exactly as the core decodes strings.
const decoder = new TextDecoder();

let wasm;
let resultsAddress = 0;
/** Verifiers by scheme, tolerance and secrets: keyed HMAC states are built once. */
const verifiers = new Map();

export function attach(exports) {
  wasm = exports;
  resultsAddress = wasm.results();
}

function rethrow(error) {
  if (error && typeof error === "object" && typeof error.code === "string" && typeof error.status === "number") {
    throw new WebhookError(error.code, error.status);
  }
  throw error;
}

function secretsOf(secret) {
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0 || !secrets.every((s) => typeof s === "string")) {
    throw new WebhookError("invalid_secret", 500);
  }
  return secrets;
}

function verifierFor(scheme, secret, toleranceSeconds) {
  if (!SCHEMES.includes(scheme)) throw new WebhookError("unknown_scheme", 500);
  const secrets = secretsOf(secret);
  const tolerance = toleranceSeconds ?? 300;
  // Unambiguous: ["a", "b"] and "a\u0000b" are different keys.
  const key = JSON.stringify([scheme, tolerance, secrets]);
  let entry = verifiers.get(key);
  if (entry === undefined) {
    let native;
    try {
      native = new NativeVerifier(scheme, secrets, tolerance);
    } catch (error) {
      rethrow(error);
    }
    entry = { native, names: Array.from(native.headerNames()) };
    if (verifiers.size >= MAX_VERIFIERS) {
      for (const old of verifiers.values()) old.native.free();
      verifiers.clear();
    }
    verifiers.set(key, entry);
  }
  return entry;
}

function bytesOf(body) {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new WebhookError("invalid_body", 400);
}

/** A header's value from a `Headers` or a plain object (any case; arrays joined). */
function headerOf(headers, name) {
  if (headers == null) return undefined;
  if (typeof headers.get === "function") return headers.get(name) ?? undefined;
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) return value.join(", ");
  return value == null ? undefined : String(value);
}

/** Copies the header values and the body into wasm memory; returns the header lengths. */
function load(names, headers, bytes) {
  if (bytes.length > MAX_BODY) throw new WebhookError("payload_too_large", 413);
  const values = names.map((name) => headerOf(headers, name));
  if (values.some((v) => v !== undefined && v.length > MAX_HEADER_CHARS)) {
    throw new WebhookError("malformed_signature", 401);
  }
  const room = values.reduce((sum, v) => sum + (v === undefined ? 0 : v.length * 3), 0);
  const start = wasm.input(room + bytes.length);
  // Read the memory after `input`: growing it replaces the buffer.
  const memory = new Uint8Array(wasm.memory.buffer);
  let offset = start;
  const lengths = [ABSENT, ABSENT, ABSENT, ABSENT, ABSENT];
  values.forEach((value, i) => {
    if (value === undefined) return;
    const { written } = encoder.encodeInto(value, memory.subarray(offset, offset + value.length * 3));
    lengths[i] = written;
    offset += written;
  });
  memory.set(bytes, offset);
  return lengths;
}

function text(memory, address, length) {
  return address === 0 ? undefined : decoder.decode(memory.subarray(address, address + length));
}

/**
 * Verifies a webhook synchronously, then parses it.
 * @returns {{ scheme, type, id, idempotencyKey, timestamp?, deliveryId?, data }}
 * @throws {WebhookError}
 */
export function verify({ scheme, headers, body, secret, toleranceSeconds, now }) {
  const { native, names } = verifierFor(scheme, secret, toleranceSeconds);
  const bytes = bytesOf(body);
  const [h0, h1, h2, h3, h4] = load(names, headers, bytes);
  const seconds = now ?? Math.floor(Date.now() / 1000);
  try {
    native.verify(h0, h1, h2, h3, h4, bytes.length, seconds);
  } catch (error) {
    rethrow(error);
  }
  const memory = new Uint8Array(wasm.memory.buffer);
  const r = new Uint32Array(wasm.memory.buffer, resultsAddress, 11);
  const result = {
    scheme,
    type: text(memory, r[0], r[1]),
    id: text(memory, r[2], r[3]),
    idempotencyKey: text(memory, r[4], r[5]),
  };
  const deliveryId = text(memory, r[6], r[7]);
  if (deliveryId !== undefined) result.deliveryId = deliveryId;
  if (r[8] === 1) result.timestamp = r[9] + r[10] * 2 ** 32;
  // The core has checked that the bytes are one JSON object; the runtime's parser builds it.
  result.data = JSON.parse(decoder.decode(bytes));
  return result;
}

/**
 * Reads a `Request`'s raw body once and verifies it: a drop-in for `webhooks.constructEvent`
 * from `@trigger.dev/sdk` (scheme "trigger" by default), except that a correctly signed event
 * of a type the SDK does not know is returned, not rejected.
 */
export async function constructEvent(request, secret, options = {}) {
  const body = new Uint8Array(await request.arrayBuffer());
  return verify({ ...options, scheme: options.scheme ?? "trigger", headers: request.headers, body, secret });
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `msg_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The headers a provider would send with `body`, signed with `secret`: for tests and local
 * development. `id` defaults to a random message id, `timestamp` to now (Unix seconds).
 * @returns {Record<string, string>}
 */
export function sign({ scheme, secret, body, id, timestamp }) {
  if (!SCHEMES.includes(scheme)) throw new WebhookError("unknown_scheme", 500);
  const [key] = secretsOf(secret);
  const bytes = bytesOf(body);
  const start = wasm.input(bytes.length);
  new Uint8Array(wasm.memory.buffer).set(bytes, start);
  let pairs;
  try {
    pairs = nativeSign(scheme, key, bytes.length, id ?? randomId(), timestamp ?? Math.floor(Date.now() / 1000));
  } catch (error) {
    rethrow(error);
  }
  return Object.fromEntries(pairs);
}

/** Heap allocations made inside the wasm module so far (zero per verify once warm). */
export function wasmAllocations() {
  return wasm.allocations();
}
