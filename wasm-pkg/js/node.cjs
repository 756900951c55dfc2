// Node.js with require(): the CommonJS bundle of the same code.
"use strict";
const { readFileSync } = require("node:fs");
const path = require("node:path");
const hookguard = require("./hookguard.cjs");

hookguard.attach(hookguard.initSync({ module: readFileSync(path.join(__dirname, "hookguard_wasm_bg.wasm")) }));

module.exports = hookguard;
