// One side of redis.test.mjs's race: at a given moment, hands one signed delivery to a
// webhookHandler backed by redisStore; prints the status and whether its handler ran.
//   node claim.mjs PORT node-redis|ioredis BODY SECRET START_MS
import { createClient } from "redis";
import Redis from "ioredis";
import { redisStore, sign, webhookHandler } from "hookguard";

const [port, kind, body, secret, start] = process.argv.slice(2);
const client =
  kind === "ioredis" ? new Redis({ host: "127.0.0.1", port: Number(port) }) : await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
if (kind === "ioredis") await client.ping();
let ran = false;
const handle = webhookHandler({
  scheme: "trigger",
  secret,
  store: redisStore(client),
  on: { "*": async () => { ran = true; await new Promise((r) => setTimeout(r, 300)); } },
});
const request = new Request("http://localhost/", { method: "POST", body, headers: sign({ scheme: "trigger", secret, body }) });
await new Promise((r) => setTimeout(r, Math.max(0, Number(start) - Date.now())));
const response = await handle(request);
console.log(JSON.stringify({ kind, status: response.status, ran }));
await client.quit();
