import t from 'tap';
import { Shutdown, sleep } from '../src/index.js';

t.test('steps run in reverse order', async (t) => {
  const s = new Shutdown(1000);
  const order: string[] = [];
  s.add('listener', () => void order.push('listener'));
  s.add('watch', async () => {
    await sleep(10);
    order.push('watch');
  });
  s.add('deregister', () => void order.push('deregister'));
  const result = await s.run();
  t.same(order, ['deregister', 'watch', 'listener']);
  t.equal(result.clean, true);
  t.equal(await s.run(), result, 'a second run returns the same result');
});

t.test('a failing step does not stop the others', async (t) => {
  const s = new Shutdown(1000);
  const order: string[] = [];
  const errors: string[] = [];
  s.on('stepError', (name) => errors.push(name));
  s.add('a', () => void order.push('a'));
  s.add('b', () => {
    throw new Error('boom');
  });
  const result = await s.run();
  t.same(order, ['a']);
  t.same(errors, ['b']);
  t.equal(result.clean, false);
});

t.test('the total wait is bounded', async (t) => {
  const s = new Shutdown(100);
  const timeouts: string[] = [];
  s.on('timeout', (name) => timeouts.push(name));
  s.add('never', () => new Promise<void>(() => {}));
  const start = Date.now();
  const result = await s.run();
  t.equal(result.clean, false);
  t.same(timeouts, ['never']);
  t.ok(Date.now() - start < 1000, 'returned soon after the bound');
});
