import { constructEvent, WebhookError } from "hookguard";

export const runtime = "edge";

// Per isolate, like the Node route's: see the comment there.
const seen = new Set<string>();

export async function POST(request: Request) {
  const secret = process.env.TRIGGER_WEBHOOK_SECRET;
  if (!secret) return Response.json({ error: "not_configured" }, { status: 500 });
  try {
    const event = await constructEvent(request, secret);
    if (seen.has(event.idempotencyKey)) return Response.json({ received: true, duplicate: true });
    seen.add(event.idempotencyKey);
    return Response.json({ received: true, duplicate: false, type: event.type, runtime: "edge" });
  } catch (error) {
    if (error instanceof WebhookError) {
      return Response.json({ error: error.code }, { status: error.status });
    }
    throw error;
  }
}
