// Issue 17, point 4: script checks have their own switches, as in Consul. Without
// enable_script_checks an HTTP registration gets Consul's "from remote calls" refusal (also
// with enable_local_script_checks, and with --legacy-clients, which no longer allows them);
// with it, the check runs: exit 0 passing, 1 warning, else critical, output captured, a run
// past its timeout killed and critical.
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { bodyOf, harness, statusOf } from './helpers.js';

const REFUSAL =
  "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true";

t.test('refused over HTTP unless enable_script_checks', async (t) => {
  const cases = [
    { name: 'default', input: {} },
    { name: 'local only', input: { enableLocalScriptChecks: true } },
    { name: 'legacy clients', input: { legacyClients: true } },
  ];
  for (const c of cases) {
    const { consul, http } = await harness(t, c.input);
    const err = await consul.agent.service
      .register({ name: 's', check: { args: ['true'], interval: '10s' } } as never)
      .then(
        () => undefined,
        (e: Error) => e,
      );
    t.equal(statusOf(err), 500, `${c.name}: 500`);
    t.equal(bodyOf(err), REFUSAL, `${c.name}: Consul's text`);
    const r = await http('/agent/check/register', {
      method: 'PUT',
      body: JSON.stringify({ Name: 'c', Args: ['true'], Interval: '10s' }),
    });
    t.same([r.status, await r.text()], [500, REFUSAL], `${c.name}: agent/check/register`);
  }
});

t.test('enable_script_checks: checks run with Consul exit-code semantics', async (t) => {
  const { consul } = await harness(t, { enableScriptChecks: true, checkMinIntervalMs: 50 });
  const cases = [
    { name: 'ok', input: ['/bin/sh', '-c', 'echo fine; exit 0'], want: ['passing', 'fine\n'] },
    { name: 'warn', input: ['/bin/sh', '-c', 'echo meh >&2; exit 1'], want: ['warning', 'meh\n'] },
    { name: 'bad', input: ['/bin/sh', '-c', 'exit 3'], want: ['critical', ''] },
    { name: 'missing', input: ['/nonexistent/berth-check'], want: ['critical', /ENOENT/] },
  ] as const;
  for (const c of cases) {
    await consul.agent.check.register({
      name: c.name,
      args: [...c.input],
      interval: '1s',
      status: c.name === 'ok' ? 'critical' : 'passing',
    } as never);
  }
  const list = async () =>
    (await consul.agent.check.list()) as Record<string, { Status: string; Output: string }>;
  for (const c of cases) {
    const got = await eventually(`${c.name} ran`, async () => {
      const chk = (await list())[c.name];
      return chk && chk.Status === c.want[0] ? chk : undefined;
    });
    t.match(got.Output, c.want[1], c.name);
  }
  await consul.agent.check.register({
    name: 'slow',
    args: ['/bin/sh', '-c', 'sleep 5'],
    interval: '1s',
    timeout: '200ms',
    status: 'passing',
  } as never);
  const slow = await eventually('slow timed out', async () => {
    const chk = (await list()).slow;
    return chk?.Status === 'critical' ? chk : undefined;
  });
  t.equal(slow.Output, 'Timed out (200ms) running check');
  // The legacy `Script` line (python3-consul 0.7.1's Check.script) runs through /bin/sh -c.
  await consul.agent.check.register({
    name: 'legacy',
    script: 'exit 1',
    interval: '1s',
  } as never);
  await eventually('legacy script ran', async () => (await list()).legacy?.Status === 'warning');
});
