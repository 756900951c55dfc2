import { runToken } from "hookguard";
import { LiveStatus } from "./live-status";

// A page per run: the server mints a token for this run only (the browser never sees
// LIVE_TOKEN_SECRET), and the page's status updates live from the hookguard edge worker.
export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const token = runToken({ runId: id, secret: process.env.LIVE_TOKEN_SECRET ?? "", ttlSeconds: 3600 });
  return (
    <main>
      <h1>Run {id}</h1>
      <LiveStatus url={process.env.HOOKGUARD_URL ?? "http://127.0.0.1:8787"} runId={id} token={token} />
    </main>
  );
}
