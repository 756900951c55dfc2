// Compiled by types.test.mjs with `tsc --noEmit` against the packed package's index.d.ts:
// narrowing by `type` must type `data`, and every `@ts-expect-error` line must be an error
// (an unused one fails the compile).
import { constructEvent, memoryStore, redisStore, verify, webhookHandler, type TriggerWebhook } from "hookguard";

declare const request: Request;
declare const headers: Headers;
declare const body: Uint8Array;

function handle(event: TriggerWebhook): string {
  switch (event.type) {
    case "alert.run.failed": {
      const run = event.data.object.run;
      const status: "FAILED" | "COMPLETED" | "CRASHED" | string = run.status;
      if (run.error.type === "BUILT_IN_ERROR") return run.error.stackTrace;
      if (run.error.type === "INTERNAL_ERROR") return run.error.code;
      // @ts-expect-error: a STRING_ERROR or CUSTOM_ERROR has `raw`, not `message`
      return run.error.message + status;
    }
    case "alert.deployment.success":
      return event.data.object.tasks.map((t) => t.triggerSource).join() + event.data.object.deployment.deployedAt;
    case "alert.deployment.failed":
      // @ts-expect-error: a failed deployment has `failedAt`, not `deployedAt`
      return event.data.object.deployment.deployedAt;
    case "alert.error": {
      const count: number = event.data.object.error.occurrenceCount;
      // @ts-expect-error: the error group's environment has `name`, not `slug`
      return event.data.object.environment.slug + count;
    }
    case "run.completed":
      return `${event.data.run.id} ${event.data.run.status}`;
    default: {
      // @ts-expect-error: any other type's payload is unknown
      const id: string = event.data.id;
      return id;
    }
  }
}

const v = verify({ scheme: "trigger", headers, body, secret: "s" });
handle(v);
if (v.type === "alert.deployment.failed") {
  const stderr: string | undefined = v.data.object.error.stderr;
  void stderr;
}
if (v.type === "run.failed") {
  // @ts-expect-error: a run's status is one of TriggerRunStatus, not a number
  const status: number = v.data.run.status;
  void status;
}

// Other schemes: data is unknown unless the caller says.
const stripe = verify({ scheme: "stripe", headers, body, secret: "s" });
// @ts-expect-error: unknown payload
void stripe.data.id;
const typed = verify<{ id: string }>({ scheme: "stripe", headers, body, secret: "s" });
void typed.data.id;

export const POST = webhookHandler({
  scheme: "trigger",
  secret: ["a", undefined],
  store: memoryStore({ max: 10_000, ttlSeconds: 3 * 86400 }),
  on: {
    "alert.run.failed": async (event) => {
      const dashboard: string = event.data.object.run.dashboardUrl;
      void dashboard;
    },
    "alert.error": (event) => Response.json({ fingerprint: event.data.object.error.fingerprint }),
    "*": (event) => handle(event),
  },
});

webhookHandler({
  scheme: "trigger",
  secret: "s",
  store: memoryStore(),
  on: {
    // @ts-expect-error: not one of Trigger.dev's event types
    "alert.run.faild": () => {},
  },
});

webhookHandler({
  scheme: "trigger",
  secret: "s",
  store: memoryStore(),
  on: {
    // @ts-expect-error: a deployment success has no `run`
    "alert.deployment.success": (event) => event.data.object.run,
  },
});

declare const nodeRedis: { sendCommand(args: string[]): Promise<unknown> };
declare const ioredis: { call(command: string, ...args: string[]): Promise<unknown> };
webhookHandler({ scheme: "github", secret: "s", store: redisStore(nodeRedis), on: { push: (event) => void event.deliveryId } });
redisStore(ioredis, { ttlSeconds: 60, prefix: "hooks:" });
// @ts-expect-error: not a Redis client
redisStore({ get: () => null });

void constructEvent(request, "s").then((event) => {
  if (event.type === "alert.run.failed") void event.data.object.project.ref;
});

// Field for field as @trigger.dev/sdk 4.8.3's published types (its core's `Webhook`), with the
// SDK's `Date`s as the ISO strings that were signed: each alert type, both ways.
import type { Webhook as SdkWebhook } from "@trigger.dev/core/v3";
import type { TriggerEvent } from "hookguard";

type Signed<T> = T extends Date ? string : T extends readonly (infer E)[] ? Signed<E>[] : T extends object ? { [K in keyof T]: Signed<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AlertType = SdkWebhook["type"];
const sameAsSdk: { [K in AlertType]: Same<Signed<Extract<SdkWebhook, { type: K }>>, Extract<TriggerEvent, { type: K }>> } = {
  "alert.run.failed": true,
  "alert.deployment.success": true,
  "alert.deployment.failed": true,
  "alert.error": true,
};
void sameAsSdk;
// And the SDK has no alert type that hookguard lacks.
const everyAlertTyped: Same<Exclude<AlertType, TriggerEvent["type"]>, never> = true;
void everyAlertTyped;

// Every provider of the core, custom schemes, the URL and the replay key.
import { describeScheme, sign, type CustomScheme, type Scheme } from "hookguard";
const providers: Scheme[] = ["discord", "vercel", "square", "cal-com", "retell"];
void providers;
// @ts-expect-error: not a provider
const unknown: Scheme = "paypal";
void unknown;
const acme: CustomScheme = { id: "acme", algorithm: "hmac-sha256", encoding: "hex", header: "x-acme-signature", content: "{body}", secret: "text" };
const square = verify({ scheme: "square", headers, body, secret: "s", url: "https://example.com/hook", toleranceSeconds: Infinity });
const replay: string | undefined = square.replayKey;
void replay;
void verify({ scheme: acme, headers, body, secret: "s", allowShortSecrets: true }).idempotencyKey;
void sign({ scheme: { ...describeScheme("github"), id: "my-github" }, secret: "s", body });
// @ts-expect-error: not an algorithm
const md5: CustomScheme = { ...acme, algorithm: "hmac-md5" };
void md5;
webhookHandler({ scheme: acme, url: "https://example.com/hook", secret: "s", store: memoryStore(), on: { "*": (event) => void event.replayKey } });
