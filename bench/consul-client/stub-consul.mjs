// A stand-in Consul for the client benchmark, run as a child process so its CPU is not the
// clients': canned answers (the bytes berth's catalog sends for /v1/health/service/web with
// three instances, and an empty 200 for a service registration). Prints its port, then serves
// until its parent closes stdin.
import http from 'node:http';

const instance = (i) => ({
  Node: {
    ID: `n${i}`,
    Node: `node-${i}`,
    Address: `127.0.0.${i + 2}`,
    Datacenter: 'dc1',
    TaggedAddresses: {},
    Meta: {},
    CreateIndex: 10,
    ModifyIndex: 10,
  },
  Service: {
    ID: `node-${i}:web:8080`,
    Service: 'web',
    Tags: ['urlprefix-/web'],
    Address: `127.0.0.${i + 2}`,
    Meta: { 'berth-owner': `node-${i}` },
    Port: 32768 + i,
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
    Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
    Connect: {},
    PeerName: '',
    CreateIndex: 11,
    ModifyIndex: 11,
  },
  Checks: [
    {
      Node: `node-${i}`,
      CheckID: 'serfHealth',
      Name: 'Serf Health Status',
      Status: 'passing',
      Notes: '',
      Output: 'Agent alive and reachable',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: '',
      Interval: '',
      Timeout: '',
      ExposedPort: 0,
      CreateIndex: 10,
      ModifyIndex: 10,
    },
    {
      Node: `node-${i}`,
      CheckID: `service:node-${i}:web:8080`,
      Name: "Service 'web' check",
      Status: 'passing',
      Notes: '',
      Output: 'HTTP GET http://127.0.0.2:32768/: 200 OK',
      ServiceID: `node-${i}:web:8080`,
      ServiceName: 'web',
      ServiceTags: ['urlprefix-/web'],
      Type: 'http',
      Interval: '10s',
      Timeout: '1s',
      ExposedPort: 0,
      CreateIndex: 12,
      ModifyIndex: 40,
    },
  ],
});
const health = Buffer.from(JSON.stringify([0, 1, 2].map(instance)));

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/v1/health/service/web')) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '40' });
      res.end(health);
    } else if (req.url?.startsWith('/v1/agent/service/register')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
