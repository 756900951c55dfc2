// Node.js with require(): the CommonJS bundle of the same code; node:crypto computes the MACs
// as in node.mjs (HOOKGUARD_MAC likewise).
"use strict";
const { createHmac } = require("node:crypto");
const { readFileSync } = require("node:fs");
const path = require("node:path");
const hookguard = require("./hookguard.cjs");

hookguard.attach(
  hookguard.initSync({ module: readFileSync(path.join(__dirname, "hookguard_wasm_bg.wasm")) }),
  { createHmac, mac: process.env.HOOKGUARD_MAC },
);

module.exports = hookguard;
