/**
 * A local ELBv2 endpoint for tests (Query protocol over HTTP on 127.0.0.1, port 0): records
 * every call, keeps the registered targets (each reported healthy), and answers a call with a
 * server fault, a throttle, a validation error or no answer at all when the test's script says
 * so. Tests only: it checks no signature and keeps nothing beyond its own memory.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one call. */
export type FakeElbAnswer = 'ok' | 'fault' | 'throttle' | 'invalid' | 'hang';

/** One recorded call. */
export interface FakeElbCall {
  readonly action: string;
  readonly params: URLSearchParams;
  readonly authorization: string;
  /** ms since the epoch. */
  readonly at: number;
}

/** Options of startFakeElb. */
export interface FakeElbOptions {
  /** The answer to the `n`th call (1-based) of `action`; default always 'ok'. */
  readonly answer?: (action: string, n: number) => FakeElbAnswer;
  /** ELB's state of a registered target (`<id>:<port>`) in DescribeTargetHealth (default healthy). */
  readonly targetState?: (target: string) => string;
  /** `deregistration_delay.timeout_seconds` of every group (default 300). */
  readonly deregistrationDelaySeconds?: number;
}

/** A running fake. */
export interface FakeElb {
  /** The endpoint URL to give the SDK. */
  readonly url: string;
  readonly calls: FakeElbCall[];
  /** Registered targets as `<id>:<port>`. */
  readonly targets: Set<string>;
  close(): Promise<void>;
}

const member = (target: string, state: string): string => {
  const [id, port] = target.split(':');
  return (
    `<member><Target><Id>${id}</Id><Port>${port}</Port></Target>` +
    `<TargetHealth><State>${state}</State></TargetHealth></member>`
  );
};

/** Starts a fake ELBv2 endpoint on 127.0.0.1. */
export async function startFakeElb(options: FakeElbOptions = {}): Promise<FakeElb> {
  const calls: FakeElbCall[] = [];
  const targets = new Set<string>();
  const hung = new Set<http.ServerResponse>();
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
      const n = calls.filter((c) => c.action === action).length;
      const answer = options.answer?.(action, n) ?? 'ok';
      res.setHeader('content-type', 'text/xml');
      const error = (status: number, type: string, code: string): void => {
        res.statusCode = status;
        res.end(
          `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code>` +
            `<Message>${code}</Message></Error><RequestId>r0</RequestId></ErrorResponse>`,
        );
      };
      if (answer === 'hang') return void hung.add(res);
      if (answer === 'fault') return error(500, 'Receiver', 'InternalFailure');
      if (answer === 'throttle') return error(400, 'Sender', 'Throttling');
      if (answer === 'invalid') return error(400, 'Sender', 'ValidationError');
      const target = `${params.get('Targets.member.1.Id')}:${params.get('Targets.member.1.Port')}`;
      let result = '';
      if (action === 'RegisterTargets') targets.add(target);
      else if (action === 'DeregisterTargets') targets.delete(target);
      else if (action === 'DescribeTargetHealth') {
        const state = options.targetState ?? (() => 'healthy');
        const members = [...targets].map((x) => member(x, state(x))).join('');
        result = `<TargetHealthDescriptions>${members}</TargetHealthDescriptions>`;
      } else if (action === 'DescribeTargetGroupAttributes') {
        result =
          '<Attributes><member><Key>deregistration_delay.timeout_seconds</Key>' +
          `<Value>${options.deregistrationDelaySeconds ?? 300}</Value></member></Attributes>`;
      }
      res.end(
        `<${action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">` +
          `<${action}Result>${result}</${action}Result>` +
          `<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></${action}Response>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    targets,
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
