// The undici reference proxy for bench/router: node:http in front, one undici Pool per
// upstream behind (here one upstream, given in argv), hop-by-hop headers dropped and
// X-Forwarded-For set, bodies piped both ways. What a Node.js proxy looks like when it is
// built from the standard parts; it prints its port and talks to 127.0.0.1 only.
import http from 'node:http';
import { createRequire } from 'node:module';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';

// undici 7 is a devDependency of @berth/router (the root has an older one for node-gyp)
const require = createRequire(
  fileURLToPath(new URL('../../packages/router/package.json', import.meta.url)),
);
const { Pool } = require('undici');

const upstream = `http://127.0.0.1:${Number(process.argv[2])}`;
const pools = new Map();
const poolFor = (origin) => {
  let p = pools.get(origin);
  if (p === undefined) {
    p = new Pool(origin, { connections: 256, pipelining: 1, keepAliveTimeout: 50_000 });
    pools.set(origin, p);
  }
  return p;
};
const HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
];

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const headers = { ...req.headers };
  for (const h of HOP) delete headers[h];
  const xff = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = xff
    ? `${xff}, ${req.socket.remoteAddress}`
    : req.socket.remoteAddress;
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  poolFor(upstream)
    .request({ path: req.url, method: req.method, headers, body: hasBody ? req : null })
    .then(
      ({ statusCode, headers: h, body }) => {
        for (const k of HOP) delete h[k];
        res.writeHead(statusCode, h);
        pipeline(body, res, () => {});
      },
      () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
