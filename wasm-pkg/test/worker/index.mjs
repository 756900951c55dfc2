// A plain JavaScript Worker that verifies with the npm package: what a Workers user writes.
import { memoryStore, verify, webhookHandler, WebhookError } from "hookguard";

// The route helper in a Worker: secrets arrive with the first request's `env`, so it is built
// then, once per isolate.
let handle;

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/handler") {
      handle ??= webhookHandler({ scheme: "trigger", secret: env.TRIGGER_WEBHOOK_SECRET, store: memoryStore(), on: { "*": () => {} } });
      return handle(request);
    }
    try {
      const event = verify({
        scheme: "trigger",
        headers: request.headers,
        body: new Uint8Array(await request.arrayBuffer()),
        secret: env.TRIGGER_WEBHOOK_SECRET,
      });
      return Response.json({ received: true, type: event.type, idempotencyKey: event.idempotencyKey });
    } catch (error) {
      if (error instanceof WebhookError) return Response.json({ error: error.code }, { status: error.status });
      throw error;
    }
  },
};
