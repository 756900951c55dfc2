// The conformance subset every runtime runs (Deno, Bun, headless Chromium; Node runs the full
// suites): no runtime APIs beyond the package's own, `Request`, `Response` and TextEncoder.
// `run(hookguard)` resolves to `[{ name, ok, detail }]`.

const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WRONG_STANDARD_SECRET = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const secretFor = (scheme) => (scheme === "standard" || scheme === "svix" ? STANDARD_SECRET : `secret-for-${scheme}`);
const wrongFor = (scheme) => (scheme === "standard" || scheme === "svix" ? WRONG_STANDARD_SECRET : "wrong");
const event = (n) => JSON.stringify({ id: `evt_conf_${n}`, type: "alert.run.failed", object: { note: "café 🎵" } });

function codeOf(fn) {
  try {
    fn();
    return "accepted";
  } catch (error) {
    return `${error.name}:${error.code}:${error.status}`;
  }
}

export async function run(hookguard) {
  const { sign, verify, webhookHandler, memoryStore, SCHEMES } = hookguard;
  const results = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      results.push({ name, ok: detail === true, detail: detail === true ? "" : String(detail) });
    } catch (error) {
      results.push({ name, ok: false, detail: String(error && error.stack ? error.stack : error) });
    }
  };

  await check("the core's schemes", () => SCHEMES.join() === "trigger,standard,svix,stripe,github,slack,shopify" || SCHEMES.join());
  for (const scheme of SCHEMES) {
    await check(`${scheme}: sign, verify, refuse tampering and a wrong secret`, () => {
      const body = event(scheme);
      const headers = sign({ scheme, secret: secretFor(scheme), body, id: "msg_conf" });
      const result = verify({ scheme, headers, body: new TextEncoder().encode(body), secret: secretFor(scheme) });
      if (result.type !== "alert.run.failed" || result.data.object.note !== "café 🎵") return JSON.stringify(result);
      const tampered = codeOf(() => verify({ scheme, headers, body: body.replace("café", "cafe"), secret: secretFor(scheme) }));
      const wrong = codeOf(() => verify({ scheme, headers, body, secret: [wrongFor(scheme)] }));
      const expected = "WebhookError:invalid_signature:401";
      return (tampered === expected && wrong === expected) || `${tampered} ${wrong}`;
    });
  }
  await check("errors carry the core's codes and statuses", () => {
    const body = event("errors");
    const got = [
      codeOf(() => verify({ scheme: "trigger", headers: {}, body, secret: "s" })),
      codeOf(() => verify({ scheme: "trigger", headers: { "x-trigger-signature-hmacsha256": "zz" }, body, secret: "s" })),
      codeOf(() => verify({ scheme: "trigger", headers: {}, body, secret: "" })),
      codeOf(() => verify({ scheme: "paypal", headers: {}, body, secret: "s" })),
      codeOf(() => verify({ scheme: "trigger", headers: {}, body: new Uint8Array(1024 * 1024 + 1), secret: "s" })),
    ].join();
    const expected = [
      "WebhookError:missing_signature:401",
      "WebhookError:malformed_signature:401",
      "WebhookError:invalid_secret:500",
      "WebhookError:unknown_scheme:500",
      "WebhookError:payload_too_large:413",
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
      secret: ["s", undefined],
      store: memoryStore({ max: 10 }),
      on: { "alert.run.failed": (e) => seen.push(e.id), "*": () => { if (fail) { fail = false; throw new Error("once"); } } },
      onError: () => {},
    });
    const post = async (body, secret = "s") => {
      const response = await handle(new Request("http://localhost/", { method: "POST", body, headers: sign({ scheme: "trigger", secret, body }) }));
      return `${response.status} ${JSON.stringify(await response.json())}`;
    };
    const body = event("handler");
    const other = JSON.stringify({ id: "evt_other", type: "run.completed" });
    const got = [await post(body), await post(body), await post(body, "wrong"), await post(other), await post(other)].join(" | ");
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
