// A free TCP port on 127.0.0.1, for the servers the tests start.
import net from "node:net";

export const freePort = () =>
  new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
