export default function Home() {
  return <p>POST Trigger.dev webhooks to /api/v2/webhooks/trigger (Node) or /api/v2/webhooks/trigger-edge (Edge).</p>;
}
