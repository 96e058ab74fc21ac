import t from 'tap';
import { parseCookies, SESSION_COOKIE, sessionCookie } from '../../src/core/cookies.js';
import { defaultKeyPair } from '../../src/core/credentials-file.js';
import { sameText, SessionStore } from '../../src/core/sessions.js';
import { SseParser, sseFrame } from '../../src/core/sse-parse.js';

const keys = { accessKeyId: 'AKTEST', secretAccessKey: 'secret-secret' };

t.test('sessions end after the idle time, and activity keeps them', async (t) => {
  let n = 0;
  const store = new SessionStore(1000, 10, () => `tok${n++}`);
  const s = store.create(keys, 0);
  t.equal(s.id, 'tok0');
  t.equal(s.csrfToken, 'tok1');
  t.equal(store.get(s.id, 900)?.id, s.id, 'used at 900');
  t.equal(store.get(s.id, 1800)?.id, s.id, 'still there 900 ms after the last use');
  t.equal(store.get(s.id, 1800, false)?.lastSeen, 1800);
  t.equal(store.get(s.id, 2900), undefined, 'idle for 1100 ms: gone');
  t.equal(store.get(s.id, 2901), undefined, 'and stays gone');
  t.equal(store.get(undefined, 0), undefined);
  const a = store.create(keys, 5000);
  t.same(store.sweep(6001), [a.id], 'sweep drops idle sessions');
});

t.test('the CSRF token is the session one, compared whole', async (t) => {
  const store = new SessionStore(1000, 10, () => 'x'.repeat(43));
  const s = store.create(keys, 0);
  t.ok(store.checkCsrf(s, 'x'.repeat(43)));
  t.notOk(store.checkCsrf(s, undefined));
  t.notOk(store.checkCsrf(s, ''));
  t.notOk(store.checkCsrf(s, 'x'.repeat(42)));
  t.notOk(sameText('abc', 'abd'));
});

t.test('a full store makes room by dropping the least recently used session', async (t) => {
  let n = 0;
  const store = new SessionStore(10_000, 2, () => `s${n++}`);
  const a = store.create(keys, 0);
  const b = store.create(keys, 1);
  store.get(a.id, 2);
  store.create(keys, 3);
  t.ok(store.get(a.id, 4), 'recently used stays');
  t.equal(store.get(b.id, 4), undefined, 'least recently used went');
  t.equal(store.size, 2);
  t.equal(store.latest(5)?.id, a.id);
});

t.test('every way a session leaves is reported, once', async (t) => {
  let n = 0;
  const removed: string[] = [];
  const store = new SessionStore(
    1000,
    2,
    () => `s${n++}`,
    (id) => removed.push(id),
  );
  const a = store.create(keys, 0);
  const b = store.create(keys, 1);
  const third = store.create(keys, 2); // full: a, the least recently used, is evicted
  t.same(removed, [a.id], 'eviction');
  t.equal(store.get(b.id, 1002), undefined);
  t.same(removed, [a.id, b.id], 'idle expiry found by get');
  const c = store.create(keys, 1003); // creating sweeps the third, idle since 2
  t.same(removed, [a.id, b.id, third.id], 'sweep');
  store.delete(c.id);
  store.delete(c.id);
  t.same(removed, [a.id, b.id, third.id, c.id], 'sign-out, reported once');
  t.equal(store.size, 0);
});

t.test('the session cookie is HttpOnly and SameSite=Strict', async (t) => {
  t.equal(
    sessionCookie('abc', { secure: false }),
    `${SESSION_COOKIE}=abc; Path=/; HttpOnly; SameSite=Strict`,
  );
  t.equal(
    sessionCookie('', { secure: true, maxAgeMs: 0 }),
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0`,
  );
  const c = parseCookies('a=1; berth_console=xyz; a=2; junk');
  t.equal(c.get('a'), '1');
  t.equal(c.get(SESSION_COOKIE), 'xyz');
  t.equal(parseCookies(undefined).size, 0);
});

t.test('the [default] key pair of a credentials file', async (t) => {
  t.same(
    defaultKeyPair(
      '[other]\naws_access_key_id = NO\n[default]\naws_access_key_id = AK\naws_secret_access_key = s3\n',
    ),
    { accessKeyId: 'AK', secretAccessKey: 's3' },
  );
  t.equal(defaultKeyPair('[default]\naws_access_key_id = AK\n'), undefined);
});

t.test(
  'SSE frames parse across chunk boundaries; comments and blank events are skipped',
  async (t) => {
    const p = new SseParser();
    t.same(p.push(': hello\n\nid: 7\nevent: TaskStateChange\nda'), []);
    t.same(p.push('ta: {"a":1}\ndata: 2\r\n\r\nretry: 5\n\ndata:x\n'), [
      { id: '7', event: 'TaskStateChange', data: '{"a":1}\n2' },
    ]);
    t.same(p.push('\n'), [{ id: '7', event: 'message', data: 'x' }]);
    t.equal(p.lastId, '7');
    t.equal(sseFrame('live', { a: 1 }, '3'), 'id: 3\nevent: live\ndata: {"a":1}\n\n');
    const back = new SseParser().push(sseFrame('x', { text: 'two\nlines' }));
    t.same(JSON.parse(back[0]!.data), { text: 'two\nlines' });
  },
);
