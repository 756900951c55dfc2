"use client";

import { useEffect, useState } from "react";
import { watchRun, type LiveRunStatus } from "hookguard/live";

// The run's status, pushed over one WebSocket: no polling. watchRun reconnects with backoff
// after a drop and stops after a terminal status; the effect's cleanup stops it too.
export function LiveStatus({ url, runId, token }: { url: string; runId: string; token: string }) {
  const [run, setRun] = useState<LiveRunStatus | null>(null);
  useEffect(() => watchRun(url, { runId, token, onStatus: setRun }), [url, runId, token]);
  const status = run === null ? "connecting" : (run.status ?? "waiting for the first event");
  return (
    <p>
      Status: <strong id="status">{status}</strong>
      {run?.errorMessage ? <span> ({run.errorMessage})</span> : null}
    </p>
  );
}
