import t from 'tap';
import { PassThrough } from 'node:stream';
import { followLines } from '../src/index.js';
import { eventually } from '../src/testing/index.js';

t.test('lines across chunks, reconnect after end and after a failed open', async (t) => {
  const streams: PassThrough[] = [];
  let opens = 0;
  const events: string[] = [];
  const delays: number[] = [];
  const follow = followLines(
    {
      open: async () => {
        opens++;
        if (opens === 2) throw new Error('refused');
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
      retryDelayMs: (failures) => {
        delays.push(failures);
        return 5;
      },
      describeError: (what, cause) => `${what}${cause ? `: ${(cause as Error).message}` : ''}`,
    },
    {
      line: (l) => events.push(`line ${l}`),
      connected: () => events.push('connected'),
      disconnected: (e) => events.push(`disconnected ${String(e)}`),
    },
  );
  await new Promise((r) => setImmediate(r));
  streams[0]!.write('{"a":1}\n{"b"');
  streams[0]!.write(':2}\n\n');
  await new Promise((r) => setImmediate(r));
  streams[0]!.end();
  await eventually('the stream reopened', () => streams.length === 2, { intervalMs: 5 });
  streams[1]!.write('after\n');
  await new Promise((r) => setImmediate(r));
  follow.close();
  t.same(events, [
    'connected',
    'line {"a":1}',
    'line {"b":2}',
    'disconnected end',
    'disconnected open: refused',
    'connected',
    'line after',
  ]);
  t.same(delays, [1, 2], 'the failure count grows until a connect succeeds');
  t.ok(streams[1]!.destroyed, 'close destroys the open stream');
});
