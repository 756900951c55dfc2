// The conformance subset every runtime runs (Deno, Bun, headless Chromium; Node runs the full
// suites): no runtime APIs beyond the package's own, `Request`, `Response` and TextEncoder.
// `run(hookguard)` resolves to `[{ name, ok, detail }]`.

const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WRONG_STANDARD_SECRET = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
// Every secret at least 16 bytes: shorter ones are refused unless `allowShortSecrets`.
const SECRET = "conformance-secret-0123456789";
// RFC 8032's first test vector: a valid Ed25519 public key.
const RFC8032_PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const URL_SIGNED = "https://example.com/hooks/square";
const event = (n) => JSON.stringify({ id: `evt_conf_${n}`, type: "alert.run.failed", object: { note: "café 🎵" } });

/** What `sign` and `verify` need for a scheme, from the core's description of it. */
function setupFor(describeScheme, scheme) {
  const d = describeScheme(scheme);
  const whsec = d.secret === "whsec";
  const extra = {};
  // A timestamp in the signed body (Trigger.dev's `created`, Linear's `webhookTimestamp`): now.
  const field = d.timestamp?.body;
  if (field) extra[field] = { s: Math.floor(Date.now() / 1000), ms: Date.now(), rfc3339: new Date().toISOString() }[d.timestamp.unit];
  return {
    description: d,
    secret: whsec ? STANDARD_SECRET : SECRET,
    wrong: whsec ? WRONG_STANDARD_SECRET : "wrong-secret-0123456789",
    url: d.content.includes("{url}") ? URL_SIGNED : undefined,
    body: (n) => JSON.stringify({ ...JSON.parse(event(n)), ...extra }),
  };
}

function codeOf(fn) {
  try {
    fn();
    return "accepted";
  } catch (error) {
    return `${error.name}:${error.code}:${error.status}`;
  }
}

export async function run(hookguard) {
  const { sign, verify, webhookHandler, memoryStore, describeScheme, SCHEMES } = hookguard;
  const results = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      results.push({ name, ok: detail === true, detail: detail === true ? "" : String(detail) });
    } catch (error) {
      results.push({ name, ok: false, detail: String(error && error.stack ? error.stack : error) });
    }
  };

  await check("the core's schemes, each described by the core", () => {
    const described = SCHEMES.map((name) => describeScheme(name).id);
    return (SCHEMES.length > 0 && SCHEMES[0] === "trigger" && described.join() === SCHEMES.join()) || described.join();
  });
  for (const scheme of SCHEMES) {
    const { description, secret, wrong, url, body: bodyFor } = setupFor(describeScheme, scheme);
    // Ed25519 (Discord) verifies with a public key and cannot sign: Node's suite signs it.
    if (description.algorithm === "ed25519") {
      await check(`${scheme}: sign is refused (a public key cannot sign)`, () => {
        const got = codeOf(() => sign({ scheme, secret: RFC8032_PUBLIC_KEY, body: "{}" }));
        return got === "WebhookError:unsupported_algorithm:500" || got;
      });
      continue;
    }
    await check(`${scheme}: sign, verify, refuse tampering and a wrong secret`, () => {
      const body = bodyFor(scheme);
      const headers = sign({ scheme, secret, body, id: "msg_conf", url });
      const result = verify({ scheme, headers, body: new TextEncoder().encode(body), secret, url });
      if (result.type !== "alert.run.failed" || result.data.object.note !== "café 🎵") return JSON.stringify(result);
      const tampered = codeOf(() => verify({ scheme, headers, body: body.replace("café", "cafe"), secret, url }));
      const wrongSecret = codeOf(() => verify({ scheme, headers, body, secret: [wrong], url }));
      const expected = "WebhookError:invalid_signature:401";
      return (tampered === expected && wrongSecret === expected) || `${tampered} ${wrongSecret}`;
    });
  }
  await check("a custom scheme: verified as described; a bad description names its field", () => {
    const acme = { id: "acme", algorithm: "hmac-sha256", encoding: "hex", header: "x-acme-signature", prefix: "sha256=", content: "{timestamp}.{body}", timestamp: { header: "x-acme-timestamp", unit: "s" }, secret: "text", delivery_id: { body: "id" } };
    const body = event("custom");
    const headers = sign({ scheme: acme, secret: SECRET, body });
    const result = verify({ scheme: { ...acme }, headers, body, secret: SECRET });
    if (result.scheme !== "acme" || result.idempotencyKey !== "acme:evt_conf_custom") return JSON.stringify(result);
    let bad = "accepted";
    try {
      verify({ scheme: { ...acme, content: "{payload}" }, headers, body, secret: SECRET });
    } catch (error) {
      bad = `${error.name}:${error.code}:${error.status}:${error.field}`;
    }
    return bad === "WebhookError:invalid_scheme:500:content" || bad;
  });
  await check("errors carry the core's codes and statuses", () => {
    const body = event("errors");
    const got = [
      codeOf(() => verify({ scheme: "trigger", headers: {}, body, secret: SECRET })),
      codeOf(() => verify({ scheme: "trigger", headers: { "x-trigger-signature-hmacsha256": "zz" }, body, secret: SECRET })),
      codeOf(() => verify({ scheme: "trigger", headers: {}, body, secret: "" })),
      codeOf(() => verify({ scheme: "paypal", headers: {}, body, secret: SECRET })),
      codeOf(() => verify({ scheme: "trigger", headers: {}, body: new Uint8Array(1024 * 1024 + 1), secret: SECRET })),
      codeOf(() => verify({ scheme: "trigger", headers: {}, body, secret: "short" })),
      codeOf(() => verify({ scheme: "square", headers: { "x-square-hmacsha256-signature": "A".repeat(43) + "=" }, body, secret: SECRET })),
    ].join();
    const expected = [
      "WebhookError:missing_signature:401",
      "WebhookError:malformed_signature:401",
      "WebhookError:invalid_secret:500",
      "WebhookError:unknown_scheme:500",
      "WebhookError:payload_too_large:413",
      "WebhookError:invalid_secret:500",
      "WebhookError:missing_url:500",
    ].join();
    return got === expected || got;
  });
  await check("timestamps outside the tolerance are refused", () => {
    const body = event("time");
    const headers = sign({ scheme: "standard", secret: STANDARD_SECRET, body, timestamp: 1_700_000_000 });
    const ok = verify({ scheme: "standard", headers, body, secret: STANDARD_SECRET, now: 1_700_000_300 }).timestamp === 1_700_000_000;
    const late = codeOf(() => verify({ scheme: "standard", headers, body, secret: STANDARD_SECRET, now: 1_700_000_301 }));
    return (ok && late === "WebhookError:timestamp_out_of_tolerance:401") || late;
  });
  await check("webhookHandler: handled once, duplicate, refused, handler failure", async () => {
    const seen = [];
    let fail = true;
    const handle = webhookHandler({
      scheme: "trigger",
      secret: [SECRET, undefined],
      store: memoryStore({ max: 10 }),
      on: { "alert.run.failed": (e) => seen.push(e.id), "*": () => { if (fail) { fail = false; throw new Error("once"); } } },
      onError: () => {},
    });
    const post = async (body, secret = SECRET) => {
      const response = await handle(new Request("http://localhost/", { method: "POST", body, headers: sign({ scheme: "trigger", secret, body }) }));
      return `${response.status} ${JSON.stringify(await response.json())}`;
    };
    const body = event("handler");
    const other = JSON.stringify({ id: "evt_other", type: "run.completed" });
    const got = [await post(body), await post(body), await post(body, "wrong-secret-0123456789"), await post(other), await post(other)].join(" | ");
    const expected = [
      '200 {"received":true,"duplicate":false,"type":"alert.run.failed"}',
      '200 {"received":true,"duplicate":true}',
      '401 {"error":"invalid_signature"}',
      '500 {"error":"handler_failed"}',
      '200 {"received":true,"duplicate":false,"type":"run.completed"}',
    ].join(" | ");
    return (got === expected && seen.join() === "evt_conf_handler") || got;
  });
  return results;
}
