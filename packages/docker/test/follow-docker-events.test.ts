// followDockerEvents on a stand-in engine: it asks for container events only (plus the
// caller's filters) replaying the last seconds, hands over parsed events, reports a broken
// stream as a DockerError and reopens it, and stops for good on close().
import { PassThrough } from 'node:stream';
import { DockerError, type DockerEvent, followDockerEvents, labelFilters } from '@berth/docker';
import { eventually } from '@berth/daemon/testing';
import type Docker from 'dockerode';
import t from 'tap';

t.test('follows, parses, reconnects and closes', async (t) => {
  const opened: { since: number; filters: Record<string, string[]> }[] = [];
  const streams: PassThrough[] = [];
  const docker = {
    getEvents: async (o: { since: number; filters: Record<string, string[]> }) => {
      opened.push(o);
      if (opened.length === 2) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
  } as unknown as Docker;
  const events: DockerEvent[] = [];
  const log: string[] = [];
  const errors: unknown[] = [];
  const follow = followDockerEvents(
    docker,
    {
      filters: { label: labelFilters({ 'berth.instance-id': 'i-1' }) },
      replaySeconds: 5,
      reconnect: { baseMs: 1, maxMs: 2 },
    },
    {
      event: (e) => events.push(e),
      connected: () => log.push('connected'),
      disconnected: (e) => {
        log.push('disconnected');
        errors.push(e);
      },
    },
  );
  t.teardown(() => follow.close());
  await eventually('the first connect', () => log.length === 1);
  t.strictSame(opened[0]?.filters, { label: ['berth.instance-id=i-1'], type: ['container'] });
  t.ok(Math.abs(opened[0]!.since - (Math.floor(Date.now() / 1000) - 5)) <= 1, 'replays 5 s');
  streams[0]!.write(
    `${JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'c1' }, time: 1 })}\n` +
      `${JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } })}\nnot json\n`,
  );
  await eventually('the event', () => events.length === 1);
  t.match(events[0], { action: 'start', id: 'c1', time: 1000 });
  streams[0]!.end();
  await eventually('a reconnect after the failed open', () => streams.length === 2);
  await eventually('connected again', () => log.length === 4);
  t.strictSame(log, ['connected', 'disconnected', 'disconnected', 'connected']);
  t.ok(errors.every((e) => e instanceof DockerError));
  t.match((errors[0] as Error).message, 'Docker event stream ended');
  t.match((errors[1] as Error).message, 'cannot follow Docker events: ECONNREFUSED: refused');
  follow.close();
  t.ok(streams[1]!.destroyed, 'close ends the open stream');
});
