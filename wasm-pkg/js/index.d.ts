/**
 * A provider hookguard knows: the core's table, in its order (the package's test fails if
 * this union and the core's list `SCHEMES` disagree).
 */
export type Scheme =
  | "trigger"
  | "standard"
  | "svix"
  | "clerk"
  | "resend"
  | "openai"
  | "replicate"
  | "stripe"
  | "github"
  | "slack"
  | "shopify"
  | "square"
  | "discord"
  | "zoom"
  | "calendly"
  | "cal-com"
  | "sentry"
  | "pagerduty"
  | "vercel"
  | "linear"
  | "notion"
  | "typeform"
  | "docusign"
  | "jira"
  | "intercom"
  | "zendesk"
  | "attio"
  | "workos"
  | "elevenlabs"
  | "vapi"
  | "retell";

/** Every built-in scheme, in the core's order (read from the core). */
export declare const SCHEMES: readonly Scheme[];

/**
 * A provider hookguard does not know, described as data: the JSON format of the core's
 * `Spec::from_json`, with its `id`. Unknown fields are refused; a description that cannot work
 * throws `WebhookError` `invalid_scheme` naming the bad `field`. Each distinct description is
 * read once per process and kept (at most 64).
 */
export interface CustomScheme {
  /** 1 to 24 of a-z, 0-9 and `-`; not a built-in scheme's name. The idempotency keys' prefix. */
  id: string;
  /** A shared idempotency key prefix (as Standard Webhooks and Svix share `standard`). */
  family?: string;
  algorithm: "hmac-sha256" | "hmac-sha1" | "ed25519";
  encoding: "hex" | "base64";
  /** The signature header, lower case. */
  header: string;
  /** A second name for it, read when the first is absent. */
  header_alias?: string;
  /** At most one of `prefix` (`sha256=<tag>`), `items` (`t=..,v1=<tag>`: the tag item's name) and `versioned` (`v1,<tag> ...`); none: the whole value is the tag. */
  prefix?: string;
  items?: string;
  versioned?: string;
  /** The signed content: `{body}` once, and any of `{timestamp}`, `{id}` (a signed delivery id header), `{url}`. */
  content: string;
  /** One of `header`, `item` (of the items syntax) or `body` (a top-level field of the signed JSON). */
  timestamp?: {
    header?: string;
    item?: string;
    body?: string;
    unit: "s" | "ms" | "rfc3339";
    /** Seconds either side of now. Default 300. */
    tolerance?: number;
    /** Default true; only a body field may be optional. */
    required?: boolean;
  };
  /** `text`: the secret's bytes; `whsec`: `whsec_<base64>`; `hex-public-key`: Ed25519's public key. */
  secret: "text" | "whsec" | "hex-public-key";
  /** A header (with `signed: true` when the content has `{id}`) or a top-level body field. */
  delivery_id?: { header: string; signed?: boolean } | { body: string };
  /** The header that names the event type. */
  type_header?: string;
}

/** What a scheme signs and how: `describeScheme("github")`, in the format of a custom scheme. */
export declare function describeScheme(scheme: Scheme | CustomScheme): CustomScheme;

/** Header values from a `Headers` or a plain object (any case; array values are joined). */
export type HeaderSource =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** The raw body exactly as received: never a re-serialised object. */
export type Body = Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView | string;

export interface VerifyOptions {
  scheme: Scheme | CustomScheme;
  headers: HeaderSource;
  body: Body;
  /** The secret, or several during a rotation (the first signs). At least 16 bytes, unless `allowShortSecrets`. */
  secret: string | readonly string[];
  /**
   * How far a signed timestamp may be from `now`, past or future, in seconds. Default: the
   * scheme's own (300 for most; Trigger.dev's `created` 3600; Linear 60). `Infinity`: no check.
   */
  toleranceSeconds?: number;
  /** The URL the provider was given, exactly as registered, for schemes that sign it (Square). */
  url?: string;
  /** Accept secrets shorter than 16 bytes: only for legacy secrets a provider issued and you cannot replace. */
  allowShortSecrets?: boolean;
  /** Unix seconds. Default: the clock. */
  now?: number;
}

/** What every verified webhook carries besides its type and payload. */
export interface WebhookBase {
  /** The scheme's name (a custom scheme's `id`). */
  scheme: Scheme | (string & {});
  /** The event id: the payload's `id` (Slack: `event_id`). */
  id: string | undefined;
  /**
   * The key to deduplicate this delivery by: `{prefix}:{id}`, `{prefix}:sha256-id:{hex}` (a long
   * or unusual id) or `{prefix}:sha256-body:{hex}` (the signed body); the prefix is the
   * scheme's (`standard` for Standard Webhooks, Svix and their senders).
   */
  idempotencyKey: string;
  /**
   * A second key, over the signed body, when `idempotencyKey` comes from a delivery id the
   * signature does not cover (GitHub, Shopify, Sentry, Linear, Jira, Zendesk): a captured
   * delivery re-sent under a new id has the same `replayKey`. A duplicate if either was seen.
   */
  replayKey?: string;
  /** The signed timestamp, for schemes that sign one (Unix seconds). */
  timestamp?: number;
  /** The provider's delivery id header, where it sends one. */
  deliveryId?: string;
}

export interface VerifiedWebhook<T = unknown> extends WebhookBase {
  /** The event type: the payload's `type` (GitHub, Shopify: the event header). */
  type: string | undefined;
  /** The whole JSON payload. */
  data: T;
}

/** Every refusal. `code` is stable (e.g. "invalid_signature"); `status` is the HTTP status to answer. */
export declare class WebhookError extends Error {
  constructor(code: string, status: number, message?: string, field?: string);
  readonly name: "WebhookError";
  readonly code: string;
  readonly status: number;
  /** `invalid_scheme`: the custom scheme description's bad field (`content`, `timestamp.unit`, ...). */
  readonly field?: string;
}

/** Verifies synchronously, then parses. Throws `WebhookError`. Trigger.dev events are typed. */
export declare function verify(options: VerifyOptions & { scheme: "trigger" }): TriggerWebhook;
export declare function verify<T = unknown>(options: VerifyOptions): VerifiedWebhook<T>;

/**
 * Reads a `Request`'s raw body once and verifies it (scheme "trigger" unless given): a drop-in
 * for `webhooks.constructEvent` from `@trigger.dev/sdk`, except that correctly signed events of
 * types the SDK does not know are returned, not rejected.
 */
export declare function constructEvent(
  request: Request,
  secret: string | readonly string[],
  options?: Partial<Omit<VerifyOptions, "headers" | "body" | "secret" | "scheme">> & { scheme?: "trigger" },
): Promise<TriggerWebhook>;
export declare function constructEvent<T = unknown>(
  request: Request,
  secret: string | readonly string[],
  options?: Partial<Omit<VerifyOptions, "headers" | "body" | "secret">>,
): Promise<VerifiedWebhook<T>>;

export interface SignOptions {
  scheme: Scheme | CustomScheme;
  secret: string | readonly string[];
  body: Body;
  /** Message id (Standard Webhooks, Svix; GitHub and Shopify delivery header). Default: random. */
  id?: string;
  /** Unix seconds. Default: now. */
  timestamp?: number;
  /** The URL the provider was given, for schemes that sign it (Square). */
  url?: string;
  /** Accept a secret shorter than 16 bytes (legacy secrets only). */
  allowShortSecrets?: boolean;
}

/**
 * The headers a provider would send with `body`: for tests and local development. Ed25519
 * schemes (Discord) cannot sign (the secret is a public key): `unsupported_algorithm`.
 */
export declare function sign(options: SignOptions): Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Trigger.dev's events, field for field as @trigger.dev/sdk 4.8.3's schemas
// (@trigger.dev/core v3/schemas/webhooks.ts), except that dates stay the ISO-8601 strings that
// were signed: hookguard returns the JSON as sent, where the SDK coerces dates to `Date`.

/** `run.status`. */
export type TriggerRunStatus =
  | "PENDING_VERSION" | "QUEUED" | "DEQUEUED" | "EXECUTING" | "WAITING" | "COMPLETED" | "CANCELED"
  | "FAILED" | "CRASHED" | "SYSTEM_FAILURE" | "DELAYED" | "EXPIRED" | "TIMED_OUT";

export type TriggerEnvironmentType = "PRODUCTION" | "STAGING" | "DEVELOPMENT" | "PREVIEW";

/** `TaskRunInternalError.code`. */
export type TriggerInternalErrorCode =
  | "COULD_NOT_FIND_EXECUTOR" | "COULD_NOT_FIND_TASK" | "COULD_NOT_IMPORT_TASK" | "CONFIGURED_INCORRECTLY"
  | "TASK_ALREADY_RUNNING" | "TASK_EXECUTION_FAILED" | "TASK_EXECUTION_ABORTED"
  | "TASK_PROCESS_EXITED_WITH_NON_ZERO_CODE" | "TASK_PROCESS_SIGKILL_TIMEOUT" | "TASK_PROCESS_SIGSEGV"
  | "TASK_PROCESS_SIGTERM" | "TASK_PROCESS_OOM_KILLED" | "TASK_PROCESS_MAYBE_OOM_KILLED" | "TASK_RUN_CANCELLED"
  | "TASK_INPUT_ERROR" | "TASK_OUTPUT_ERROR" | "TASK_MIDDLEWARE_ERROR" | "HANDLE_ERROR_ERROR"
  | "GRACEFUL_EXIT_TIMEOUT" | "TASK_RUN_HEARTBEAT_TIMEOUT" | "TASK_RUN_CRASHED" | "TASK_RUN_UNCAUGHT_EXCEPTION"
  | "MAX_DURATION_EXCEEDED" | "DISK_SPACE_EXCEEDED" | "POD_EVICTED" | "POD_UNKNOWN_ERROR"
  | "TASK_HAS_N0_EXECUTION_SNAPSHOT" | "TASK_DEQUEUED_INVALID_STATE" | "TASK_DEQUEUED_QUEUE_NOT_FOUND"
  | "TASK_RUN_DEQUEUED_MAX_RETRIES" | "TASK_RUN_STALLED_EXECUTING" | "TASK_RUN_STALLED_EXECUTING_WITH_WAITPOINTS"
  | "OUTDATED_SDK_VERSION" | "TASK_DID_CONCURRENT_WAIT" | "RECURSIVE_WAIT_DEADLOCK" | "BATCH_ITEM_COULD_NOT_TRIGGER"
  | "PAYLOAD_TOO_LARGE" | "UNSPECIFIED_ERROR";

/** `TaskRunError`: a union on `type`. */
export type TriggerRunError =
  | {
      type: "BUILT_IN_ERROR";
      name: string;
      message: string;
      stackTrace: string;
      causes?: { name?: string; message: string; stackTrace?: string }[];
    }
  | { type: "CUSTOM_ERROR"; raw: string }
  | { type: "STRING_ERROR"; raw: string }
  | { type: "INTERNAL_ERROR"; code: TriggerInternalErrorCode; message?: string; stackTrace?: string };

export interface TriggerEnvironment {
  id: string;
  type: TriggerEnvironmentType;
  slug: string;
  branchName?: string;
}
export interface TriggerOrganization {
  id: string;
  slug: string;
  name: string;
}
export interface TriggerProject {
  id: string;
  ref: string;
  slug: string;
  name: string;
}

export interface TriggerAlertRunFailedObject {
  task: { id: string; filePath: string; exportName?: string; version: string; sdkVersion: string; cliVersion: string };
  run: {
    id: string;
    number: number;
    status: TriggerRunStatus;
    createdAt: string;
    startedAt?: string;
    completedAt?: string;
    isTest: boolean;
    idempotencyKey?: string;
    tags: string[];
    error: TriggerRunError;
    isOutOfMemoryError: boolean;
    machine: string;
    dashboardUrl: string;
  };
  environment: TriggerEnvironment;
  organization: TriggerOrganization;
  project: TriggerProject;
}

/** What both deployment alerts share. */
export interface TriggerDeploymentCommon {
  environment: TriggerEnvironment;
  organization: TriggerOrganization;
  project: TriggerProject;
  git?: {
    branch: string;
    commitSha: string;
    commitMessage: string;
    commitUrl: string;
    branchUrl: string;
    pullRequestNumber?: number;
    pullRequestTitle?: string;
    pullRequestUrl?: string;
    provider?: string;
  };
  vercel?: { deploymentUrl: string };
}
export interface TriggerDeployment {
  id: string;
  status: string;
  version: string;
  shortCode: string;
}
export interface TriggerAlertDeploymentSuccessObject extends TriggerDeploymentCommon {
  deployment: TriggerDeployment & { deployedAt: string };
  tasks: { id: string; filePath: string; exportName?: string; triggerSource: string }[];
}
export interface TriggerAlertDeploymentFailedObject extends TriggerDeploymentCommon {
  deployment: TriggerDeployment & { failedAt: string };
  error: { name: string; message: string; stack?: string; stderr?: string };
}
export interface TriggerAlertErrorObject {
  classification: "new_issue" | "regression" | "unignored";
  error: {
    fingerprint: string;
    type: string;
    message: string;
    stackTrace?: string;
    firstSeen: string;
    lastSeen: string;
    occurrenceCount: number;
    taskIdentifier: string;
  };
  environment: { id: string; name: string };
  organization: TriggerOrganization;
  project: TriggerProject;
  dashboardUrl: string;
}

/** The alert envelope: `{ id, created, webhookVersion, type, object }`. */
export interface TriggerAlert<K extends string, O> {
  id: string;
  created: string;
  webhookVersion: string;
  type: K;
  object: O;
}

/**
 * The run lifecycle events users relay from their own tasks (Trigger.dev does not send these
 * itself): `{ id?, type, run: { id, status, output?, metadata? } }`.
 */
export interface TriggerRunLifecycle<K extends string> {
  id?: string;
  type: K;
  run: { id: string; status: TriggerRunStatus; output?: unknown; metadata?: unknown; [field: string]: unknown };
  [field: string]: unknown;
}

/** Every Trigger.dev event hookguard types: a discriminated union on `type`. */
export type TriggerEvent =
  | TriggerAlert<"alert.run.failed", TriggerAlertRunFailedObject>
  | TriggerAlert<"alert.deployment.success", TriggerAlertDeploymentSuccessObject>
  | TriggerAlert<"alert.deployment.failed", TriggerAlertDeploymentFailedObject>
  | TriggerAlert<"alert.error", TriggerAlertErrorObject>
  | TriggerRunLifecycle<"run.started">
  | TriggerRunLifecycle<"run.completed">
  | TriggerRunLifecycle<"run.failed">
  | TriggerRunLifecycle<"run.canceled">
  | TriggerRunLifecycle<"run.reattempting">;

export type TriggerEventType = TriggerEvent["type"];

declare const otherType: unique symbol;
/**
 * The type of an event hookguard does not type: one Trigger.dev adds later (a string at run
 * time), or none for the old flat body (`undefined`). Opaque on purpose: a `string` here would
 * keep `data` from narrowing when `type` is checked against a known name. Read it with
 * `String(event.type)`.
 */
export interface OtherEventType {
  readonly [otherType]: true;
  toString(): string;
}

/** A verified Trigger.dev delivery of type `K`. */
export type TriggerWebhookOf<K extends TriggerEventType> = WebhookBase & {
  scheme: "trigger";
  type: K;
  data: Extract<TriggerEvent, { type: K }>;
};

/** A verified Trigger.dev delivery: narrow it by `type`; any other type's `data` is `unknown`. */
export type TriggerWebhook =
  | { [K in TriggerEventType]: TriggerWebhookOf<K> }[TriggerEventType]
  | (WebhookBase & { scheme: "trigger"; type: OtherEventType | undefined; data: unknown });

// ---------------------------------------------------------------------------------------------
// The route helper and its stores.

/** Where claims live. `claim` answers whether this attempt may run the handler. */
export interface DedupeStore {
  claim(key: string, token: string, leaseMs: number): Promise<"claimed" | "duplicate" | "in_flight">;
  /** The handler finished: repeats are duplicates for the store's window. */
  complete(key: string, token: string): Promise<void>;
  /** The handler threw or answered non-2xx: drop the claim (if still this token's) so a retry runs it. */
  release(key: string, token: string): Promise<void>;
  /** Optional: renew the lease (if still this token's) while the handler runs, every third of it. */
  extend?(key: string, token: string, leaseMs: number): Promise<void>;
}

/** Bounded claims in this process's memory: the oldest of `max` keys go first. Throws `TypeError` for a `max` that is not a positive whole number. */
export declare function memoryStore(options?: { max?: number; ttlSeconds?: number }): DedupeStore;

/** The commands `redisStore` sends: node-redis v4+ (`sendCommand`) or ioredis (`call`). */
export type RedisClient =
  | { sendCommand(args: string[]): Promise<unknown> }
  | { call(command: string, ...args: string[]): Promise<unknown> };

/** Claims in Redis through `SET NX PX`, shared by every process. Default prefix `hookguard:`. */
export declare function redisStore(client: RedisClient, options?: { ttlSeconds?: number; prefix?: string }): DedupeStore;

/** What a handler may return: a `Response` to answer with, or anything else for the default answer. */
export type HandlerResult = unknown;

/** Handlers for Trigger.dev events, by type; `"*"` takes every other type. */
export type TriggerHandlers = {
  [K in TriggerEventType]?: (event: TriggerWebhookOf<K>, request: Request) => HandlerResult | Promise<HandlerResult>;
} & { "*"?: (event: TriggerWebhook, request: Request) => HandlerResult | Promise<HandlerResult> };

/** Handlers for another scheme's events, by the event's type; `"*"` takes every other type. */
export type Handlers = Record<string, (event: VerifiedWebhook, request: Request) => HandlerResult | Promise<HandlerResult>>;

export interface WebhookHandlerOptions<S extends Scheme | CustomScheme> {
  scheme: S;
  /** The secret, or several during a rotation; `undefined` entries (unset variables) are left out. */
  secret: string | readonly (string | undefined)[];
  store: DedupeStore;
  on: S extends "trigger" ? TriggerHandlers : Handlers;
  /** As `verify`'s: the scheme's default when left out. */
  toleranceSeconds?: number;
  /** As `verify`'s: the URL the provider was given (Square). */
  url?: string;
  /** As `verify`'s: accept secrets under 16 bytes (legacy secrets only). */
  allowShortSecrets?: boolean;
  /**
   * How long a claim stays in flight before another attempt may take it, renewed while the
   * handler runs (stores with `extend`: both built-in ones). Default 60.
   */
  leaseSeconds?: number;
  /**
   * Told when a handler throws (the answer is 500 `handler_failed`) or the store fails; what it
   * throws or rejects with is ignored. Default `console.error`.
   */
  onError?: (error: unknown, event: VerifiedWebhook | TriggerWebhook) => void | Promise<void>;
}

/**
 * A `Request` -> `Response` route: refusals answer their status and `{"error": code}`, a
 * duplicate answers 200 without a handler, an attempt already in flight answers 409
 * `in_flight`, a handler that throws answers 500 `handler_failed` and releases the claim, as
 * does a handler's own non-2xx `Response` (which is the answer); a store that fails to claim
 * answers 503 `store_unavailable`. A body over the limit is refused (413) before it is all read.
 * A delivery with a `replayKey` claims both keys: a duplicate if either was seen.
 */
export declare function webhookHandler<S extends Scheme | CustomScheme>(options: WebhookHandlerOptions<S>): (request: Request) => Promise<Response>;

/** A run's status as the edge worker's live route pushes it (`status: null`: no event yet). */
export interface LiveRunStatus {
  runId?: string;
  status: TriggerRunStatus | (string & {}) | null;
  type?: string | null;
  eventId?: string | null;
  /** Unix seconds when the worker took the event. */
  updatedAt?: number;
  number?: number | null;
  taskId?: string | null;
  errorMessage?: string | null;
}

export interface WatchRunOptions {
  runId: string;
  /** From `runToken` on your server. */
  token: string;
  /** Called after the watch has stopped for a terminal status; what it throws goes to `onError` (thrown if none). */
  onStatus?: (status: LiveRunStatus) => void;
  /**
   * Socket errors, messages that are not a JSON object, what `onStatus` throws, and the end of
   * the watch by a close with 1008 (the token expired): an `Error` with `closeCode: 1008` and
   * the close `reason`.
   */
  onError?: (error: unknown) => void;
  /**
   * Reconnection backoff: the first delay and the cap, in milliseconds (500 and 30,000); finite,
   * above 0, the first not above the cap (`TypeError` otherwise).
   */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A WebSocket constructor, where there is no global one. */
  WebSocket?: new (url: string) => unknown;
}

/**
 * Watches one run at the edge worker (`url` is the worker's origin): the current status at
 * once, then every update, reconnecting with backoff and jitter, until a terminal status or
 * a close with 1000 (run finished) or 1008 (token expired, reported to `onError`). Returns a
 * function that stops watching.
 */
export declare function watchRun(url: string | URL, options: WatchRunOptions): () => void;

/**
 * A token that lets a browser watch one run until `now + ttlSeconds` (default one hour), for
 * the edge worker's `LIVE_TOKEN_SECRET`. Mint it on the server; never ship the secret.
 * `ttlSeconds` and `now` (Unix seconds, not milliseconds) are finite numbers.
 * @throws {WebhookError} `invalid_secret` for a missing or empty secret, or one under 16 bytes.
 * @throws {TypeError} for a secret that is not a string, or a `ttlSeconds` or `now` that is not a finite number (or a `now` in milliseconds).
 */
export declare function runToken(options: { runId: string; secret: string; ttlSeconds?: number; now?: number }): string;
