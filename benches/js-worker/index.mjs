// The same job as hookguard's edge worker, as a Workers user would write it in JavaScript:
// rate-limit, verify Trigger.dev's signature with WebCrypto, drop duplicates in KV, record,
// forward signed as Standard Webhooks, log a line. The comparison for the load benchmark.
const encoder = new TextEncoder();
let keys;

async function importKeys(env) {
  const forward = Uint8Array.from(atob(env.FORWARD_SECRET.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const hmac = { name: "HMAC", hash: "SHA-256" };
  return {
    trigger: await crypto.subtle.importKey("raw", encoder.encode(env.TRIGGER_WEBHOOK_SECRET), hmac, false, ["verify"]),
    forward: await crypto.subtle.importKey("raw", forward, hmac, false, ["sign"]),
  };
}

const json = (value, status = 200) => Response.json(value, { status });

function hexToBytes(hex) {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export default {
  async fetch(request, env) {
    const started = Date.now();
    const response = await handle(request, env);
    console.log(JSON.stringify({ status: response.status, path: new URL(request.url).pathname, duration_ms: Date.now() - started }));
    return response;
  },
};

async function handle(request, env) {
  {
    if (request.method !== "POST") return json({ error: "method_not_allowed" }, 405);
    const client = request.headers.get("cf-connecting-ip") ?? "";
    if (!(await env.RATE_LIMITER.limit({ key: `trigger:${client}` })).success) return json({ error: "rate_limited" }, 429);
    keys ??= await importKeys(env);
    const body = new Uint8Array(await request.arrayBuffer());
    const signature = hexToBytes(request.headers.get("x-trigger-signature-hmacsha256") ?? "");
    // crypto.subtle.verify compares in constant time.
    if (!signature || !(await crypto.subtle.verify("HMAC", keys.trigger, signature, body))) {
      return json({ error: "invalid_signature" }, 401);
    }
    let event;
    try {
      event = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return json({ error: "invalid_json" }, 400);
    }
    const key = `trigger:${event.id}`;
    if (await env.HOOKGUARD_KV.get(`done:${key}`)) return json({ received: true, duplicate: true });
    if (await env.HOOKGUARD_KV.get(`inflight:${key}`)) return json({ error: "in_flight" }, 409);
    await env.HOOKGUARD_KV.put(`inflight:${key}`, "1", { expirationTtl: 60 });
    await env.HOOKGUARD_KV.put(`event:${key}`, JSON.stringify({ type: event.type, id: event.id }), { expirationTtl: 2592000 });
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = new Uint8Array(await crypto.subtle.sign("HMAC", keys.forward, new Uint8Array([...encoder.encode(`${key}.${timestamp}.`), ...body])));
    const forwarded = await fetch(env.FORWARD_URL, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": key,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": `v1,${btoa(String.fromCharCode(...signed))}`,
      },
    });
    if (!forwarded.ok) {
      await env.HOOKGUARD_KV.delete(`inflight:${key}`);
      return json({ error: "forward_failed" }, 503);
    }
    await env.HOOKGUARD_KV.put(`done:${key}`, "1", { expirationTtl: 259200 });
    return json({ received: true, duplicate: false, idempotencyKey: key, type: event.type });
  }
}
