// Docker's multiplexed log frames to text; an unframed (TTY) buffer passes as it is.
import { demuxLogs } from '@berth/docker';
import t from 'tap';

const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

t.test('demuxLogs', async (t) => {
  t.equal(
    demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'x')])),
    'out\nerr\nx',
  );
  t.equal(demuxLogs(Buffer.from('plain tty output\n')), 'plain tty output\n');
  t.equal(demuxLogs(Buffer.alloc(0)), '');
});
