import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Node runtime: load hookguard with Node's own resolver (its `node` entry reads the .wasm).
  // The Edge runtime bundles its `edge-light` entry, which imports the .wasm as a module.
  serverExternalPackages: ["hookguard"],
};

export default nextConfig;
