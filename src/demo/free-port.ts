// A free TCP port on 127.0.0.1 for a server the tests start as a separate process (xrdp, redis-server)
// or need closed (a refused connection): bind port 0, read it, release it.
import net from 'node:net';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
