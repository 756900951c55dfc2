#!/usr/bin/env node
// hookguard sign|send: sign a JSON file or a built-in Trigger.dev sample, print or POST it.
import { readFileSync, readdirSync } from "node:fs";
import { describeScheme, sign, SCHEMES } from "../node.mjs";

const samples = new URL("../samples/", import.meta.url);
const sampleNames = () => readdirSync(samples).map((f) => f.replace(/\.json$/, "")).sort();

const USAGE = `usage:
  hookguard sign [FILE | --sample NAME] [--scheme SCHEME] [--secret SECRET] [--id ID] [--timestamp SECONDS] [--url SIGNED_URL]
  hookguard send URL [FILE | --sample NAME] [--scheme SCHEME] [--secret SECRET] [--id ID] [--timestamp SECONDS] [--url SIGNED_URL]

  sign prints the signed headers and the body as JSON; send POSTs them to URL.
  SCHEME: ${SCHEMES.join(", ")} (default trigger)
  SECRET: default $HOOKGUARD_SECRET (at least 16 bytes)
  SIGNED_URL: for schemes that sign the notification URL (square); send defaults it to URL
  samples: ${sampleNames().join(", ")} (default alert.run.failed);
  their envelope's "created" is set to now, since Trigger.dev events older than an hour are refused`;

function fail(message) {
  console.error(`hookguard: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
if (command !== "sign" && command !== "send") fail(command ? `unknown command ${command}` : "no command");
const options = { scheme: "trigger", secret: process.env.HOOKGUARD_SECRET };
const positional = [];
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i];
  const value = () => rest[++i] ?? fail(`${arg} needs a value`);
  if (arg === "--scheme") options.scheme = value();
  else if (arg === "--secret") options.secret = value();
  else if (arg === "--id") options.id = value();
  else if (arg === "--timestamp") options.timestamp = Number(value());
  else if (arg === "--sample") options.sample = value();
  else if (arg === "--url") options.url = value();
  else if (arg.startsWith("--")) fail(`unknown option ${arg}`);
  else positional.push(arg);
}
const url = command === "send" ? (positional.shift() ?? fail("send needs a URL")) : undefined;
const file = positional.shift();
if (positional.length > 0) fail(`unexpected ${positional[0]}`);
if (!SCHEMES.includes(options.scheme)) fail(`unknown scheme ${options.scheme}`);
if (!options.secret) fail("no secret: pass --secret or set HOOKGUARD_SECRET");
const sample = options.sample ?? "alert.run.failed";
if (!file && !sampleNames().includes(sample)) fail(`no sample ${sample}`);
// A sample's "created" is now: hookguard refuses Trigger.dev events older than an hour.
const fresh = (text) => text.replace(/"created":"[^"]*"/, `"created":"${new Date().toISOString()}"`);
const body = file ? readFileSync(file) : new TextEncoder().encode(fresh(readFileSync(new URL(`${sample}.json`, samples), "utf8")));

let headers;
try {
  headers = sign({ scheme: options.scheme, secret: options.secret, body, id: options.id, timestamp: options.timestamp, url: options.url ?? (describeScheme(options.scheme).content.includes("{url}") ? url : undefined) });
} catch (error) {
  fail(error.code ?? String(error));
}
if (command === "sign") {
  console.log(JSON.stringify({ headers, body: new TextDecoder().decode(body) }, null, 2));
} else {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  console.log(`${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
}
