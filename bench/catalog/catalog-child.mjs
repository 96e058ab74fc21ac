// The catalog under benchmark, as its own process: starts the built catalog
// (packages/catalog/dist) on loopback, prints one JSON line {"address","pid"} on stdout when it
// listens, and closes cleanly on SIGTERM/SIGINT. Never binds anything but loopback.
//
//   node bench/catalog/catalog-child.mjs [--data-dir DIR]
import { fileURLToPath } from 'node:url';

const dist = new URL('../../packages/catalog/dist/index.js', import.meta.url);
const { startCatalog } = await import(fileURLToPath(dist));

const args = process.argv.slice(2);
const dataDirAt = args.indexOf('--data-dir');
const options = { listen: '127.0.0.1:0' };
if (dataDirAt >= 0) options.dataDir = args[dataDirAt + 1];

const catalog = await startCatalog(options);
process.stdout.write(JSON.stringify({ address: catalog.url, pid: process.pid }) + '\n');

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  await catalog.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
