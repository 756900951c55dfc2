// The origin the Worker forwards to, on 127.0.0.1: it verifies every delivery over the raw
// bytes with node:crypto, and also asks the `standardwebhooks` library, as a user's origin
// would. It can be switched down and up.
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
    /** Verified deliveries, in order: { id, body (Buffer), headers, libraryVerified }. */
    received: [],
    /** Requests answered 503 while down. */
    refused: 0,
    /** Requests whose signature did not verify. */
    forged: 0,
    count(id) {
      return origin.received.filter((r) => r.id === id).length;
    },
  };
  const webhook = new Webhook(secret);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (!origin.up) {
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
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin.url = `http://127.0.0.1:${server.address().port}/webhooks/hookguard`;
  origin.close = () => new Promise((resolve) => server.close(resolve));
  return origin;
}
