import { memoryStore, webhookHandler } from "hookguard";
import { calls, handlers } from "../../../../../lib/handlers";

export const runtime = "nodejs";

// Verifies (raw body, constant time), claims the delivery, runs the handler for its type, and
// answers: refusals with their status and {"error": code}, repeats with 200 and no handler, a
// handler that throws with 500 (its claim released, so Trigger.dev's retry runs it again).
// memoryStore keeps claims in this process only; with several instances, pass
// `redisStore(client)` (node-redis or ioredis) instead, and every instance shares them.
export const POST = webhookHandler({
  scheme: "trigger",
  secret: [process.env.TRIGGER_WEBHOOK_SECRET, process.env.TRIGGER_WEBHOOK_SECRET_PREVIOUS],
  store: memoryStore({ max: 10_000, ttlSeconds: 3 * 86400 }),
  on: handlers("nodejs"),
});

// What the stub handlers were given (for the example's test; not in your app).
export function GET() {
  return Response.json(calls);
}
