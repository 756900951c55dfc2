// A plain JavaScript Worker that verifies with the npm package: what a Workers user writes.
import { verify, WebhookError } from "hookguard";

export default {
  async fetch(request, env) {
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
