/** Node metadata as TXT texts (pure), as Consul encodes them (RFC 1464, `rfc1035-` keys). */
import t from 'tap';
import { metaTexts, rfc1464, txtData } from '@berth/dns';

t.test('RFC 1464 key=value', async (t) => {
  const cases = [
    { input: ['rack', 'r1'], want: 'rack=r1' },
    { input: ['a=b', 'c'], want: 'a`=b=c' },
    { input: ['tick`', 'v`'], want: 'tick``=v``' },
    { input: [' lead', 'x'], want: '` lead=x' },
    { input: ['trail  ', 'x'], want: 'trail` ` =x' },
    { input: ['', 'v'], want: '=v' },
    { input: ['k', 'a=b'], want: 'k=a=b' },
  ];
  for (const c of cases) t.equal(rfc1464(c.input[0] ?? '', c.input[1] ?? ''), c.want, c.want);
});

t.test('texts in key order; rfc1035- keys give the bare value', async (t) => {
  t.strictSame(metaTexts({ zone: 'b', 'rfc1035-spf': 'v=spf1 -all', az: 'a' }), [
    'az=a',
    'v=spf1 -all',
    'zone=b',
  ]);
  t.strictSame(metaTexts({}), []);
});

t.test('a text longer than 255 bytes travels as several character-strings', async (t) => {
  const data = txtData('x'.repeat(300));
  t.equal(data.length, 302);
  t.equal(data[0], 255);
  t.equal(data[256], 45);
  t.strictSame([...txtData('')], [0], 'an empty text is one empty string');
});
