import { memoryStore, webhookHandler } from "hookguard";
import { calls, handlers } from "../../../../../lib/handlers";

export const runtime = "edge";

// The same route on the Edge runtime; claims are per isolate (see the Node route).
export const POST = webhookHandler({
  scheme: "trigger",
  secret: [process.env.TRIGGER_WEBHOOK_SECRET],
  store: memoryStore({ max: 10_000, ttlSeconds: 3 * 86400 }),
  on: handlers("edge"),
});

export function GET() {
  return Response.json(calls);
}
