/** A webhook scheme hookguard verifies. */
export type Scheme = "trigger" | "standard" | "svix" | "stripe" | "github" | "slack" | "shopify";

/** Every scheme, in a fixed order. */
export declare const SCHEMES: readonly Scheme[];

/** Header values from a `Headers` or a plain object (any case; array values are joined). */
export type HeaderSource =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** The raw body exactly as received: never a re-serialised object. */
export type Body = Uint8Array | ArrayBuffer | ArrayBufferView | string;

export interface VerifyOptions {
  scheme: Scheme;
  headers: HeaderSource;
  body: Body;
  /** The secret, or several during a rotation (the first signs). */
  secret: string | readonly string[];
  /** How far a signed timestamp may be from `now`, past or future. Default 300. */
  toleranceSeconds?: number;
  /** Unix seconds. Default: the clock. */
  now?: number;
}

export interface VerifiedWebhook<T = unknown> {
  scheme: Scheme;
  /** The event type: the payload's `type` (GitHub, Shopify: the event header). */
  type: string | undefined;
  /** The event id: the payload's `id` (Slack: `event_id`). */
  id: string | undefined;
  /** The key to deduplicate this delivery by: `{scheme}:{id}` or `{scheme}:sha256:{hex}`. */
  idempotencyKey: string;
  /** The signed timestamp, for schemes that sign one (Unix seconds). */
  timestamp?: number;
  /** The provider's delivery id header, where it sends one. */
  deliveryId?: string;
  /** The whole JSON payload. */
  data: T;
}

/** Every refusal. `code` is stable (e.g. "invalid_signature"); `status` is the HTTP status to answer. */
export declare class WebhookError extends Error {
  readonly name: "WebhookError";
  readonly code: string;
  readonly status: number;
}

/** Verifies synchronously, then parses. Throws `WebhookError`. */
export declare function verify<T = unknown>(options: VerifyOptions): VerifiedWebhook<T>;

/**
 * Reads a `Request`'s raw body once and verifies it (scheme "trigger" unless given): a drop-in
 * for `webhooks.constructEvent` from `@trigger.dev/sdk`, except that correctly signed events of
 * types the SDK does not know are returned, not rejected.
 */
export declare function constructEvent<T = unknown>(
  request: Request,
  secret: string | readonly string[],
  options?: Partial<Omit<VerifyOptions, "headers" | "body" | "secret">>,
): Promise<VerifiedWebhook<T>>;

export interface SignOptions {
  scheme: Scheme;
  secret: string;
  body: Body;
  /** Message id (Standard Webhooks, Svix; GitHub and Shopify delivery header). Default: random. */
  id?: string;
  /** Unix seconds. Default: now. */
  timestamp?: number;
}

/** The headers a provider would send with `body`: for tests and local development. */
export declare function sign(options: SignOptions): Record<string, string>;

/** Heap allocations made inside the wasm module so far (for tests: zero per verify once warm). */
export declare function wasmAllocations(): number;
