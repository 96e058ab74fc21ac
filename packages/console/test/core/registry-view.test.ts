// Issue 20: the console's registry page model — repositories, tags and sizes from `berth
// registry`, and which running tasks use each tag (by `host/name:tag`, `:latest` when no tag,
// or `@digest`); and the loader that reads the admin API (a local fake) and the ECS API.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Task } from '@aws-sdk/client-ecs';
import t from 'tap';
import type { EcsApi } from '../../src/adapters/ecs-api.js';
import { buildRegistryView, imageInRegistry } from '../../src/core/registry-view.js';
import { loadRegistry } from '../../src/registry-loader.js';

const REG = '127.0.0.1:5000';
const task = (id: string, image: string, lastStatus = 'RUNNING'): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${id}`,
  lastStatus,
  containers: [{ name: 'app', image }],
});

t.test('imageInRegistry', async (t) => {
  const cases = [
    { name: 'tag', input: `${REG}/team/app:1`, want: { name: 'team/app', tag: '1' } },
    { name: 'no tag is latest', input: `${REG}/app`, want: { name: 'app', tag: 'latest' } },
    {
      name: 'digest',
      input: `${REG}/app@sha256:abc`,
      want: { name: 'app', digest: 'sha256:abc' },
    },
    { name: 'other registry', input: 'docker.io/library/busybox:1', want: undefined },
    { name: 'local image', input: 'berth/busybox:test', want: undefined },
  ];
  for (const c of cases) t.same(imageInRegistry(c.input, REG), c.want, c.name);
});

t.test('buildRegistryView matches tasks to tags', async (t) => {
  const v = buildRegistryView(
    REG,
    [
      {
        name: 'team/app',
        tags: [
          { tag: '2', size: 10 },
          { tag: '1', digest: 'sha256:d1', size: 9 },
        ],
      },
      { name: 'a', tags: [{ tag: 'latest' }] },
    ],
    [
      { cluster: 'default', task: task('t1', `${REG}/team/app:1`) },
      { cluster: 'prod', task: task('t2', `${REG}/team/app@sha256:d1`) },
      { cluster: 'default', task: task('t3', `${REG}/a`) },
      { cluster: 'default', task: task('t4', 'berth/busybox:test') },
    ],
  );
  t.same(
    v.repositories.map((r) => [
      r.name,
      r.tags.map((x) => [x.tag, x.size, x.tasks.map((y) => y.id)]),
    ]),
    [
      ['a', [['latest', undefined, ['t3']]]],
      [
        'team/app',
        [
          ['1', 9, ['t1', 't2']],
          ['2', 10, []],
        ],
      ],
    ],
  );
  t.equal(v.repositories[1]?.tags[0]?.image, `${REG}/team/app:1`);
});

t.test('loadRegistry reads the admin API and the running tasks', async (t) => {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/v1/repositories' ? 200 : 404, {
      'content-type': 'application/json',
    });
    res.end(
      JSON.stringify({ Repositories: [{ name: 'team/app', tags: [{ tag: '1', size: 5 }] }] }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const admin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = {
    taskArns: async (cluster: string) => (cluster === 'default' ? ['t1'] : []),
    describeTasks: async (_cluster: string, arns: string[]) =>
      arns.map((id) => task(id, `${REG}/team/app:1`)),
  } as unknown as EcsApi;
  const v = await loadRegistry(api, ['default', 'empty'], { registry: REG, registryAdmin: admin });
  t.same(v.repositories[0]?.tags[0]?.tasks, [
    { cluster: 'default', id: 't1', status: 'RUNNING', container: 'app' },
  ]);
  const none = await loadRegistry(api, [], { registry: REG });
  t.match(none.error, /--registry-admin/);
  const down = await loadRegistry(api, [], { registry: REG, registryAdmin: 'http://127.0.0.1:1' });
  t.ok(down.error, 'an unreachable registry is a message on the page, not a failure');
});
