// The origin the Worker forwards to, on 127.0.0.1: it verifies every delivery over the raw
// bytes with node:crypto, and also asks the `standardwebhooks` library, as a user's origin
// would. It can be switched down and up, made slow, or made to answer a redirect.
import crypto from "node:crypto";
import http from "node:http";
import { Webhook } from "standardwebhooks";

/** Standard Webhooks verification over the raw bytes, by hand. */
function verifyRaw(secret, body, headers) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = crypto.createHmac("sha256", key);
  mac.update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.`);
  mac.update(body);
  const expected = mac.digest();
  return (headers["webhook-signature"] ?? "").split(" ").some((entry) => {
    const [version, tag] = entry.split(",");
    const given = Buffer.from(tag ?? "", "base64");
    return version === "v1" && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

export async function startOrigin(secret) {
  const origin = {
    up: true,
    /** Milliseconds to wait before answering. */
    delay: 0,
    /** Requests that reached the redirect's target: a follower would land there. */
    followed: 0,
    /** Every request, in order, whatever the answer: { id, status, at }. */
    hits: [],
    /** Per delivery id: how many of its next attempts to answer 503. */
    failures: new Map(),
    /** Per delivery id: a 3xx status to answer it with, always (never to be followed). */
    redirects: new Map(),
    /** Verified deliveries, in order: { id, body (Buffer), headers, libraryVerified }. */
    received: [],
    /** Requests answered 503 while down. */
    refused: 0,
    /** Requests whose signature did not verify. */
    forged: 0,
    /** Answer verified deliveries 200 with a body that never ends (until the sender hangs up). */
    endless: false,
    /** Per delivery id: when the sender hung up on an endless answer (ms since the epoch). */
    hungUp: new Map(),
    count(id) {
      return origin.received.filter((r) => r.id === id).length;
    },
    /** Attempts that reached the origin for `id`, whatever it answered. */
    attempts(id) {
      return origin.hits.filter((h) => h.id === id).length;
    },
  };
  const webhook = new Webhook(secret);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      if (req.url.startsWith("/moved")) {
        origin.followed += 1;
        res.writeHead(200).end();
        return;
      }
      const id = req.headers["webhook-id"];
      const hit = { id, status: 200, at: Date.now() };
      origin.hits.push(hit);
      if (origin.delay) await new Promise((r) => setTimeout(r, origin.delay));
      const redirect = origin.redirects.get(id);
      if (redirect) {
        hit.status = redirect;
        res.writeHead(redirect, { location: `http://127.0.0.1:${server.address().port}/moved` }).end();
        return;
      }
      const failures = origin.failures.get(id) ?? 0;
      if (failures > 0) origin.failures.set(id, failures - 1);
      if (!origin.up || failures > 0) {
        hit.status = 503;
        origin.refused += 1;
        res.writeHead(503).end();
        return;
      }
      if (!verifyRaw(secret, body, req.headers)) {
        origin.forged += 1;
        res.writeHead(401).end();
        return;
      }
      // The library turns a Buffer into a string before signing, so it cannot verify a body
      // that is not valid UTF-8; it is asked, and its answer kept, but not relied on.
      let libraryVerified = true;
      try {
        webhook.verify(body, req.headers);
      } catch {
        libraryVerified = false;
      }
      origin.received.push({ id: req.headers["webhook-id"], body, headers: req.headers, libraryVerified });
      if (origin.endless) {
        res.writeHead(200, { "content-type": "application/json" });
        const more = setInterval(() => res.write(" "), 50);
        res.on("close", () => {
          clearInterval(more);
          origin.hungUp.set(id, Date.now());
        });
        res.write("[");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin.url = `http://127.0.0.1:${server.address().port}/webhooks/hookguard`;
  origin.close = () => new Promise((resolve) => server.close(resolve));
  return origin;
}

/** A chat incoming webhook on 127.0.0.1: keeps every `{"text"}` it is posted, raw too. */
export async function startChat() {
  const chat = { messages: [], ids: [], raw: [] };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      chat.messages.push(JSON.parse(body.toString()).text);
      chat.ids.push(req.headers["webhook-id"]);
      chat.raw.push({ body, headers: req.headers });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  chat.url = `http://127.0.0.1:${server.address().port}/services/T0/B0/chat`;
  chat.close = () => new Promise((resolve) => server.close(resolve));
  return chat;
}
