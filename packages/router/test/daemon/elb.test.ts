import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, request } from '../helpers.js';
import { eventually } from '@berth/daemon/testing';

process.env.AWS_ACCESS_KEY_ID = 'AKIDBERTHTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'berth-test-secret';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

interface Recorded {
  action: string;
  params: URLSearchParams;
  authorization: string;
  at: number;
}

/** A tiny ELBv2 (Query protocol) endpoint that records every call. */
async function fakeElb(failFirst: number) {
  const calls: Recorded[] = [];
  let failures = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString());
      const action = params.get('Action') ?? '';
      calls.push({
        action,
        params,
        authorization: String(req.headers.authorization),
        at: Date.now(),
      });
      res.setHeader('content-type', 'text/xml');
      if (action === 'RegisterTargets' && failures < failFirst) {
        failures++;
        res.statusCode = 500;
        res.end(
          '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>' +
            '<Message>try again</Message></Error><RequestId>r0</RequestId></ErrorResponse>',
        );
        return;
      }
      res.end(
        `<${action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">` +
          `<${action}Result/><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></${action}Response>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { calls, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/berth/0123456789abcdef';

t.test(
  'registers once healthy (the SDK retries AWS errors), deregisters first at shutdown, drains',
  async (t) => {
    const elb = await fakeElb(2);
    const web = await startBackend('web');
    const source = new MemoryRouteSource();
    const router = await startRouter(
      {
        proxy: { host: '127.0.0.1', port: 0 },
        admin: null,
        targetGroup: ARN,
        elbEndpoint: elb.url,
        elbRegion: 'us-east-1',
        targetId: 'i-0abc',
        elbBackoff: { baseMs: 20, maxMs: 100, deregisterAttempts: 2 },
        drainDelay: 300,
      },
      source,
    );
    t.teardown(async () => {
      await web.close();
      await elb.close();
    });
    const errors: string[] = [];
    router.on('elbError', (e) => errors.push(e.op));
    await new Promise((r) => setTimeout(r, 100));
    t.equal(elb.calls.length, 0, 'not registered while not healthy');

    source.setSnapshot(snapshotOf({ web: [{ port: web.port, tags: ['urlprefix-/'] }] }));
    await eventually(
      'retried to success',
      () => elb.calls.filter((c) => c.action === 'RegisterTargets').length === 3,
    );
    t.same(
      errors,
      [],
      "two 500s absorbed by the SDK's retry strategy: no error reached the router",
    );
    const reg = elb.calls.at(-1) as Recorded;
    t.equal(reg.params.get('TargetGroupArn'), ARN);
    t.equal(reg.params.get('Targets.member.1.Id'), 'i-0abc');
    t.equal(reg.params.get('Targets.member.1.Port'), String(router.proxyAddress.port));
    t.match(
      reg.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST\/\d{8}\/us-east-1\/elasticloadbalancing\/aws4_request/,
    );

    const port = router.proxyAddress.port;
    const closing = router.close();
    await eventually('deregistered', () => elb.calls.some((c) => c.action === 'DeregisterTargets'));
    const dereg = elb.calls.find((c) => c.action === 'DeregisterTargets') as Recorded;
    t.equal(dereg.params.get('Targets.member.1.Id'), 'i-0abc');
    t.equal((await request(port, '/')).status, 200, 'still serving during the drain delay');
    await closing;
    t.ok(Date.now() - dereg.at >= 290, 'closed only after the drain delay');
    await t.rejects(request(port, '/'), 'closed afterwards');
  },
);
