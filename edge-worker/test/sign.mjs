// Signing as each provider does, independently of hookguard: node:crypto by hand, and the
// providers' own libraries where they publish one.
import crypto from "node:crypto";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { sign as githubSign } from "@octokit/webhooks-methods";

const hmac = (key, ...parts) => {
  const mac = crypto.createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The headers `scheme` sends for `body` (a Buffer), signed with `secret`.
 * `timestamp` (Unix seconds), `id` and `url` (Square's notification URL) apply to the schemes
 * that sign them. For Discord (Ed25519), `secret` is the private key.
 */
export async function signFor(scheme, secret, body, { timestamp = nowSeconds(), id = randomId("msg"), url = "" } = {}) {
  switch (scheme) {
    case "trigger":
      return { "x-trigger-signature-hmacsha256": hmac(secret, body).toString("hex") };
    case "standard":
    case "svix": {
      const signature = new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
      const prefix = scheme === "svix" ? "svix" : "webhook";
      return { [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(timestamp), [`${prefix}-signature`]: signature };
    }
    case "stripe": {
      const stripe = new Stripe("sk_test_hookguard");
      const header = stripe.webhooks.generateTestHeaderString({ payload: body.toString("utf8"), secret, timestamp });
      return { "stripe-signature": header };
    }
    case "github":
      return {
        "x-hub-signature-256": await githubSign(secret, body.toString("utf8")),
        "x-github-delivery": id,
        "x-github-event": "push",
      };
    case "slack":
      return {
        "x-slack-signature": `v0=${hmac(secret, `v0:${timestamp}:`, body).toString("hex")}`,
        "x-slack-request-timestamp": String(timestamp),
      };
    case "shopify":
      return {
        "x-shopify-hmac-sha256": hmac(secret, body).toString("base64"),
        "x-shopify-webhook-id": id,
        "x-shopify-topic": "orders/create",
      };
    case "vercel":
      return { "x-vercel-signature": crypto.createHmac("sha1", secret).update(body).digest("hex") };
    case "square":
      return { "x-square-hmacsha256-signature": hmac(secret, url, body).toString("base64") };
    case "linear":
      return { "linear-signature": hmac(secret, body).toString("hex"), "linear-delivery": id, "linear-event": "Issue" };
    case "discord": {
      // `secret` is the private key here; the worker holds the public key.
      const signature = crypto.sign(null, Buffer.concat([Buffer.from(String(timestamp)), body]), secret);
      return { "x-signature-ed25519": signature.toString("hex"), "x-signature-timestamp": String(timestamp) };
    }
    default:
      throw new Error(`unknown scheme ${scheme}`);
  }
}

export const randomId = (prefix) => `${prefix}_${crypto.randomBytes(8).toString("hex")}`;
