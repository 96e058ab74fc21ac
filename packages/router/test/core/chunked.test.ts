import t from 'tap';
import { ChunkedScanner } from '../../src/core/chunked.js';
import { RequestError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

t.test('chunked scanner finds the end across any split', async (t) => {
  const body =
    '5\r\nhello\r\n1a;ext=1;q="a b"\r\n' + 'abcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n';
  const next = 'GET / HTTP/1.1\r\n';
  const all = Buffer.from(body + next);
  for (let split = 0; split <= all.length; split++) {
    const s = new ChunkedScanner();
    let end = s.scan(all.subarray(0, split), 0);
    let at = end;
    if (end < 0) {
      end = s.scan(all.subarray(split), 0);
      at = end < 0 ? -1 : split + end;
    }
    if (at !== body.length) {
      t.fail(`split ${split}: end ${at}`);
      return;
    }
  }
  t.pass('every split point');
});

t.test('chunk data is reported for de-chunking, across splits', async (t) => {
  const all = Buffer.from('3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n');
  for (let split = 0; split <= all.length; split++) {
    let out = '';
    const sink = {
      chunkData: (b: Buffer, s: number, e: number) => (out += b.toString('latin1', s, e)),
    };
    const s = new ChunkedScanner();
    if (s.scan(all.subarray(0, split), 0, sink) < 0) s.scan(all.subarray(split), 0, sink);
    if (out !== 'abc0123456789' || !s.done) {
      t.fail(`split ${split}: ${JSON.stringify(out)}`);
      return;
    }
  }
  t.pass('every split point');
});

t.test('malformed chunked framing is refused', async (t) => {
  const bad = [
    'x\r\n',
    '5\r\nhelloX',
    '5\nhello',
    '1234567890abcdef\r\n',
    '0\r\nbad\n',
    '5 \r\nhello\r\n',
    '5\t;a=b\r\n',
    '5;\r\n',
    '5;a=\r\n',
    '5;a b\r\n',
    '5;a=\x00\r\n',
    '5;a="unterminated\r\n',
    '0\r\nNo colon\r\n\r\n',
    '0\r\nBad Name: x\r\n\r\n',
    '0\r\nX: a\x01b\r\n\r\n',
    '0\r\n folded\r\n\r\n',
  ];
  for (const b of bad)
    t.ok(
      thrown(() => new ChunkedScanner().scan(Buffer.from(b, 'latin1'), 0)) instanceof RequestError,
      JSON.stringify(b),
    );
});
