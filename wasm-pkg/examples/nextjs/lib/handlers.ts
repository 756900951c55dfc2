import type { TriggerHandlers, TriggerWebhook } from "hookguard";

// The guide's four handlers, as stubs that record what they were given. In your app, replace
// each body: a database insert keyed by `event.idempotencyKey`, a Slack or email message,
// `tasks.trigger(...)` from @trigger.dev/sdk, a `revalidateTag(...)`.
export interface Call {
  handler: "save" | "notify" | "triggerTask" | "updateCache";
  key: string;
  given: unknown;
}
export const calls: Call[] = [];

export async function save(event: TriggerWebhook) {
  calls.push({ handler: "save", key: event.idempotencyKey, given: event.data });
}

export async function notify(event: TriggerWebhook, message: string) {
  calls.push({ handler: "notify", key: event.idempotencyKey, given: message });
}

export async function triggerTask(event: TriggerWebhook, task: string, payload: unknown) {
  calls.push({ handler: "triggerTask", key: event.idempotencyKey, given: { task, payload } });
}

export async function updateCache(event: TriggerWebhook, tag: string) {
  calls.push({ handler: "updateCache", key: event.idempotencyKey, given: tag });
}

/**
 * Which handlers each event type runs; every delivery is saved first. Signed is not the same as
 * complete: the payloads are typed as Trigger.dev documents them, but read nested fields with
 * `?.` so that a short body does not throw (a throw answers 500, and the delivery is retried).
 */
export function handlers(runtime: "nodejs" | "edge"): TriggerHandlers {
  const received = (event: TriggerWebhook) =>
    Response.json({ received: true, duplicate: false, type: event.type, runtime });
  return {
    "alert.run.failed": async (event) => {
      await save(event);
      const { run, task } = event.data.object ?? {};
      await notify(event, `Run ${run?.id} of ${task?.id} failed: ${run?.dashboardUrl}`);
      return received(event);
    },
    "alert.deployment.failed": async (event) => {
      await save(event);
      const { deployment, error } = event.data.object ?? {};
      await notify(event, `Deployment ${deployment?.version} failed: ${error?.message}`);
      return received(event);
    },
    "alert.deployment.success": async (event) => {
      await save(event);
      await triggerTask(event, "smoke-test", { version: event.data.object?.deployment?.version });
      return received(event);
    },
    "run.completed": async (event) => {
      await save(event);
      await updateCache(event, `run:${event.data.run?.id}`);
      return received(event);
    },
    "*": async (event) => {
      await save(event);
      return received(event);
    },
  };
}
