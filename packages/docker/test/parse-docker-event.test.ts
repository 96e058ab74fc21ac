// One parser for Docker's event lines (it was written twice, in the agent and the registrator):
// container events only, the verb without its argument, health carried as an attribute,
// timeNano preferred, garbage skipped.
import { parseDockerEvent } from '@berth/docker';
import t from 'tap';

t.test('parseDockerEvent', async (t) => {
  const cases: { name: string; input: string; want: object | undefined }[] = [
    {
      name: 'a container event',
      input: JSON.stringify({
        Type: 'container',
        Action: 'die',
        Actor: { ID: 'abc', Attributes: { exitCode: '137', name: 'web' } },
        time: 1700000000,
        timeNano: 1700000000123456000,
      }),
      want: {
        action: 'die',
        id: 'abc',
        time: 1700000000123.456,
        attributes: { exitCode: '137', name: 'web' },
      },
    },
    {
      name: 'exec actions keep their verb',
      input: JSON.stringify({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'a' } }),
      want: { action: 'exec_start', id: 'a' },
    },
    {
      name: 'health_status carries the status as an attribute',
      input: JSON.stringify({
        Type: 'container',
        Action: 'health_status: unhealthy',
        Actor: { ID: 'h', Attributes: { name: 'web' } },
        time: 1700000000,
      }),
      want: {
        action: 'health_status',
        id: 'h',
        time: 1700000000000,
        attributes: { name: 'web', health_status: 'unhealthy' },
      },
    },
    {
      name: 'old engines: status and id instead of Action and Actor',
      input: JSON.stringify({ status: 'start', id: 'old', time: 1 }),
      want: { action: 'start', id: 'old', time: 1000, attributes: {} },
    },
    {
      name: 'a network event is skipped',
      input: JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } }),
      want: undefined,
    },
    {
      name: 'no id is skipped',
      input: JSON.stringify({ Type: 'container', Action: 'start' }),
      want: undefined,
    },
    { name: 'garbage is skipped', input: '{not json', want: undefined },
    { name: 'JSON that is not an object is skipped', input: 'null', want: undefined },
  ];
  for (const c of cases) {
    const got = parseDockerEvent(c.input);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.match(got, c.want, c.name);
  }
  const e = parseDockerEvent(
    JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'x' }, timeNano: 1.5e18 }),
  );
  t.equal(e?.time, 1.5e12, 'timeNano becomes ms since the epoch');
});
