import { constructEvent, WebhookError } from "hookguard";

export const runtime = "nodejs";

// Deliveries seen by this server process. Trigger.dev delivers at least once, so repeats are
// normal; this map forgets them on every cold start and is not shared between instances. For
// deduplication that survives both, put hookguard's edge worker in front of this route, or
// insert `idempotencyKey` into your database under a unique constraint.
const seen = new Map<string, number>();
const SEEN_FOR_MS = 24 * 60 * 60 * 1000;

export async function POST(request: Request) {
  const secrets = [process.env.TRIGGER_WEBHOOK_SECRET, process.env.TRIGGER_WEBHOOK_SECRET_PREVIOUS].filter(
    (s): s is string => Boolean(s),
  );
  if (secrets.length === 0) return Response.json({ error: "not_configured" }, { status: 500 });
  try {
    // Reads the raw body once, verifies it in constant time, then parses it.
    const event = await constructEvent(request, secrets);
    const now = Date.now();
    if ((seen.get(event.idempotencyKey) ?? 0) > now - SEEN_FOR_MS) {
      return Response.json({ received: true, duplicate: true });
    }
    seen.set(event.idempotencyKey, now);

    // event.type: "alert.run.failed", "alert.deployment.success", ..., or any type Trigger.dev adds
    // later; event.data: the whole payload.
    console.log(JSON.stringify({ type: event.type, id: event.id, key: event.idempotencyKey }));
    return Response.json({ received: true, duplicate: false, type: event.type, runtime: "nodejs" });
  } catch (error) {
    if (error instanceof WebhookError) {
      return Response.json({ error: error.code }, { status: error.status });
    }
    throw error;
  }
}
