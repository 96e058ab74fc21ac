// Runs one berth router in its own process for bench/router/run.mjs: routes every path to
// the backend given in argv and prints its proxy port. It never talks to anything but 127.0.0.1.
import { startRouter } from '@berth/router';
import { MemoryRouteSource } from '@berth/router/testing';

const backendPort = Number(process.argv[2]);
const services = new Map([
  [
    'bench',
    [
      {
        address: '127.0.0.1',
        nodeAddress: '127.0.0.1',
        port: backendPort,
        tags: ['urlprefix-/'],
        status: 'passing',
        maintenance: false,
      },
    ],
  ],
]);
const router = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null },
  new MemoryRouteSource({ services }),
);
process.stdout.write(`${router.proxyAddress.port}\n`);
const stop = () => router.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
