// Trigger.dev's samples carry an envelope `created` date, which hookguard checks against a
// 1 h max age: tests send them with `created` set to now (the same length, every other byte
// as in the sample). Text in, text out; bytes in, bytes out.
export function fresh(body, now = new Date()) {
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  const updated = text.replace(/"created":"[^"]*"/, `"created":"${now.toISOString()}"`);
  if (typeof body === "string") return updated;
  const bytes = new TextEncoder().encode(updated);
  return typeof Buffer === "function" && Buffer.isBuffer(body) ? Buffer.from(bytes) : bytes;
}
