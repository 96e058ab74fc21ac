import t from 'tap';
import { matchRoute, paths } from '../src/web/routes.js';

t.test('every view has a stable URL and the URL gives the view back', async (t) => {
  const cases = [
    { input: '/', want: { view: 'home' } },
    { input: paths.overview('default'), want: { view: 'overview', cluster: 'default' } },
    { input: paths.services('prod'), want: { view: 'services', cluster: 'prod' } },
    {
      input: paths.service('default', 'hello'),
      want: { view: 'service', cluster: 'default', name: 'hello' },
    },
    { input: paths.tasks('default'), want: { view: 'tasks', cluster: 'default' } },
    { input: paths.task('default', 'abc'), want: { view: 'task', cluster: 'default', id: 'abc' } },
    { input: paths.instances('default'), want: { view: 'instances', cluster: 'default' } },
    {
      input: paths.instance('default', 'i1'),
      want: { view: 'instance', cluster: 'default', id: 'i1' },
    },
    { input: paths.families(), want: { view: 'families' } },
    { input: paths.taskDefinition('hello:2'), want: { view: 'task-definition', name: 'hello:2' } },
    {
      input: paths.editTaskDefinition('hello:2'),
      want: { view: 'edit-task-definition', name: 'hello:2' },
    },
    { input: paths.discovery(), want: { view: 'discovery' } },
    {
      input: paths.service('my cluster', 'a/b'),
      want: { view: 'service', cluster: 'my cluster', name: 'a/b' },
    },
    { input: '/c/default/services/hello/extra', want: { view: 'not-found' } },
    { input: '/nope', want: { view: 'not-found', path: '/nope' } },
  ];
  for (const c of cases) t.match(matchRoute(c.input), c.want, c.input);
});
