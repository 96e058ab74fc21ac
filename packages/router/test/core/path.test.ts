import t from 'tap';
import {
  normalizePath,
  removeDotSegments,
  normalizeStrip,
  stripSegments,
} from '../../src/core/path.js';
import { RequestError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

t.test('remove_dot_segments (RFC 3986 §5.2.4 and its §5.4 examples)', async (t) => {
  const cases: [string, string][] = [
    ['/a/b/c/./../../g', '/a/g'],
    ['/b/c/d;p/../../g', '/b/g'],
    ['/./g', '/g'],
    ['/../g', '/g'],
    ['/../../g', '/g'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/a/./b/', '/a/b/'],
    ['/..', '/'],
    ['/.', '/'],
    ['/a//../b', '/a/b'],
    ['/g.', '/g.'],
    ['/.g', '/.g'],
    ['/..g', '/..g'],
    ['/g..', '/g..'],
  ];
  for (const [input, want] of cases) t.equal(removeDotSegments(input), want, input);
});

t.test('normalised paths', async (t) => {
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'plain path untouched', input: '/static/app.js', want: '/static/app.js' },
    { name: 'encoded dots are dots', input: '/a/%2e%2E/b', want: '/b' },
    { name: 'one encoded dot', input: '/a/%2e/b', want: '/a/b' },
    { name: 'unreserved decoded', input: '/%41%7a%30%2D%5f%7E', want: '/Az0-_~' },
    { name: 'reserved kept, hex upper-cased', input: '/a%3fb%2c%e9', want: '/a%3Fb%2C%E9' },
    { name: 'percent itself kept', input: '/100%25', want: '/100%25' },
    { name: 'asterisk', input: '*', want: '*' },
    { name: 'empty segments kept', input: '//a//b', want: '//a//b' },
  ];
  for (const c of cases) t.equal(normalizePath(c.input), c.want, c.name);
});

t.test('paths that could name another route to the application are refused', async (t) => {
  for (const input of [
    '/a/..%2fb',
    '/a/%2F',
    '/a%5c..%5cb',
    '/a\\..\\b',
    '/a%00',
    '/a%zz',
    '/a%2',
    '/a%',
  ]) {
    const err = thrown(() => normalizePath(input));
    t.ok(err instanceof RequestError && err.status === 400, input);
  }
});

t.test('strip= removes whole segments', async (t) => {
  const cases: { input: [string, string]; want: string }[] = [
    { input: ['/strip', '/strip'], want: '/' },
    { input: ['/strip/x/y', '/strip'], want: '/x/y' },
    { input: ['/stripper', '/strip'], want: '/stripper' },
    { input: ['/other', '/strip'], want: '/other' },
    { input: ['/strip/x', '/strip/'], want: '/x' },
    { input: ['/x', '/'], want: '/x' },
    { input: ['/a/b/c', '/a/b'], want: '/c' },
  ];
  for (const c of cases) {
    t.equal(stripSegments(c.input[0], normalizeStrip(c.input[1])), c.want, c.input.join(' strip='));
  }
});
