// What a failed Docker call means: the engine's own message first, the status kept, codes
// stable.
import { DockerError, describeDockerError, dockerStatusOf } from '@berth/docker';
import t from 'tap';

t.test('describeDockerError and DockerError.from', async (t) => {
  const engine = Object.assign(new Error('(HTTP code 409) unexpected - conflict'), {
    statusCode: 409,
    json: { message: 'Conflict. The container name "/web" is already in use' },
  });
  const socket = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), {
    code: 'ENOENT',
  });
  t.equal(describeDockerError(engine), 'Conflict. The container name "/web" is already in use');
  t.equal(describeDockerError(socket), 'ENOENT: connect ENOENT /var/run/docker.sock');
  t.equal(describeDockerError('text'), 'text');
  t.equal(dockerStatusOf(engine), 409);
  t.equal(dockerStatusOf(socket), undefined);
  const e = DockerError.from('cannot create container web', engine);
  t.equal(
    e.message,
    'cannot create container web: Conflict. The container name "/web" is already in use',
  );
  t.equal(e.status, 409);
  t.equal(e.code, 'DOCKER_FAILED');
  t.equal(e.cause, engine);
  t.equal(new DockerError('gone', 404).code, 'DOCKER_NOT_FOUND');
  t.equal(describeDockerError(e), e.message, 'a berth error is described by its message');
});
