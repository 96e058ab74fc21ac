import t from 'tap';
import { judge, type Attempt, type Failure, type Verdict } from '../../src/core/passive-health.js';

// A GET sent once, nothing answered yet, budget available: vary one thing per row.
const get: Attempt = {
  failure: 'reset',
  idempotent: true,
  written: true,
  replayable: true,
  responded: false,
  retries: 0,
  staleReplaced: false,
  withinBudget: true,
};
const post: Attempt = { ...get, idempotent: false };

const cases: { name: string; input: Attempt; want: Verdict }[] = [
  {
    name: 'connect refused: eject, and even a POST goes elsewhere (nothing was written)',
    input: { ...post, failure: 'connect-error', written: false },
    want: { eject: true, retry: 'other', status: 502 },
  },
  {
    name: 'connect timeout: eject, retry elsewhere, else 504',
    input: { ...get, failure: 'connect-timeout', written: false },
    want: { eject: true, retry: 'other', status: 504 },
  },
  {
    name: 'our own EMFILE: nobody ejected, no retry, 503',
    input: { ...get, failure: 'local-error', written: false },
    want: { eject: false, retry: false, status: 503 },
  },
  {
    name: 'a reset GET: eject, retry on another instance',
    input: get,
    want: { eject: true, retry: 'other', status: 502 },
  },
  {
    name: 'a reset POST once written: eject, never resent',
    input: post,
    want: { eject: true, retry: false, status: 502 },
  },
  {
    name: 'a PUT whose body left our hands cannot be replayed',
    input: { ...get, replayable: false },
    want: { eject: true, retry: false, status: 502 },
  },
  {
    name: 'a stale keep-alive socket: nobody ejected, a fresh socket once',
    input: { ...get, failure: 'stale-connection' },
    want: { eject: false, retry: 'fresh', status: 502 },
  },
  {
    name: 'stale twice: the second goes to another instance',
    input: { ...get, failure: 'stale-connection', staleReplaced: true, retries: 1 },
    want: { eject: false, retry: 'other', status: 502 },
  },
  {
    name: 'a stale socket under a POST: not resent',
    input: { ...post, failure: 'stale-connection' },
    want: { eject: false, retry: false, status: 502 },
  },
  {
    name: 'response timeout: eject, no retry (a slow upstream is slow for all), 504',
    input: { ...get, failure: 'response-timeout' },
    want: { eject: true, retry: false, status: 504 },
  },
  {
    name: 'the upstream stopped reading the body: eject, 504',
    input: { ...post, failure: 'send-timeout', replayable: false },
    want: { eject: true, retry: false, status: 504 },
  },
  {
    name: 'a malformed response head: eject, retry a GET',
    input: { ...get, failure: 'bad-response' },
    want: { eject: true, retry: 'other', status: 502 },
  },
  {
    name: '502 to a GET: eject, retry elsewhere, else pass it on',
    input: { ...get, failure: 'status', status: 502 },
    want: { eject: true, retry: 'other', status: 0 },
  },
  {
    name: '503 with Retry-After: an application saying later, nobody ejected',
    input: { ...get, failure: 'status', status: 503, retryAfter: true },
    want: { eject: false, retry: 'other', status: 0 },
  },
  {
    name: '503 to a POST: eject, passed on',
    input: { ...post, failure: 'status', status: 503 },
    want: { eject: true, retry: false, status: 0 },
  },
  {
    name: 'the client left: nobody ejected, nothing answered',
    input: { ...get, failure: 'client-abort' },
    want: { eject: false, retry: false, status: -1 },
  },
  {
    name: 'after three retries: no more',
    input: { ...get, retries: 3 },
    want: { eject: true, retry: false, status: 502 },
  },
  {
    name: 'the route budget is spent: no retry',
    input: { ...get, withinBudget: false },
    want: { eject: true, retry: false, status: 502 },
  },
  {
    name: 'the client already saw bytes: abort, no retry',
    input: { ...get, responded: true },
    want: { eject: true, retry: false, status: -1 },
  },
];

t.test('passive health and retry policy', async (t) => {
  for (const c of cases) t.same(judge(c.input), c.want, c.name);
});

t.test('what the client caused or we caused never ejects', async (t) => {
  const notTheirs: Failure[] = ['local-error', 'stale-connection', 'client-abort'];
  for (const failure of notTheirs) t.equal(judge({ ...get, failure }).eject, false, failure);
});
