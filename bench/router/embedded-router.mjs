// A berth router embedded in a bare process for bench/router's before/after comparison: the
// router package at argv[2] (a dist/index.js: this tree's, or a baseline commit's built into a
// temporary directory) with an in-memory route to the backend on argv[3]. Prints its port.
// Loopback only.
const entry = process.argv[2];
const backendPort = Number(process.argv[3]);
const router = await import(entry);
// the source lives in the main entry before the house layout, in /testing after it
const MemoryRouteSource =
  router.MemoryRouteSource ??
  (await import(entry.replace(/index\.js$/, 'testing/index.js'))).MemoryRouteSource;
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
const r = await router.startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null },
  new MemoryRouteSource({ services }),
);
process.stdout.write(`${r.proxyAddress.port}\n`);
const stop = () => r.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
