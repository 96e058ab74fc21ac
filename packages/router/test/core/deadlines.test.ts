import t from 'tap';
import {
  connectionExpired,
  exchangeExpired,
  type ConnectionPhase,
  type ExchangePhase,
  type Timeouts,
} from '../../src/core/deadlines.js';

const T: Timeouts = {
  header: 10,
  idle: 60,
  body: 30,
  send: 40,
  connect: 5,
  response: 50,
  tunnelIdle: 60,
  linger: 5,
};

t.test('connection deadlines: whoever stalls decides', async (t) => {
  const base: ConnectionPhase = { kind: 'idle', headSince: 0, lastActive: 0, clientBacklog: false };
  const cases: { name: string; input: [ConnectionPhase, number]; want: string | undefined }[] = [
    { name: 'idle keep-alive within its time', input: [base, 60], want: undefined },
    { name: 'idle keep-alive past --idle-timeout', input: [base, 61], want: 'idle' },
    {
      name: 'a head arriving past --header-timeout',
      input: [{ ...base, kind: 'head', headSince: 100 }, 111],
      want: 'header',
    },
    {
      name: 'answers unread: --send-timeout, not idle',
      input: [{ ...base, clientBacklog: true }, 41],
      want: 'send',
    },
    {
      name: 'answers unread, within',
      input: [{ ...base, clientBacklog: true }, 39],
      want: undefined,
    },
    {
      name: 'pipelined bytes waiting: no idle timeout',
      input: [{ ...base, kind: 'pipelined' }, 1000],
      want: undefined,
    },
    { name: 'our side closed: linger', input: [{ ...base, kind: 'closing' }, 6], want: 'linger' },
  ];
  for (const c of cases) t.equal(connectionExpired(c.input[0], c.input[1], T), c.want, c.name);
});

t.test('exchange deadlines: one per phase', async (t) => {
  const base: ExchangePhase = {
    connected: true,
    connectSince: 0,
    requestDone: true,
    waitSince: 100,
    streaming: false,
    lastActive: 100,
    clientBacklog: false,
    upstreamBacklog: false,
  };
  const cases: { name: string; input: [ExchangePhase, number]; want: string | undefined }[] = [
    {
      name: 'connecting past --connect-timeout',
      input: [{ ...base, connected: false }, 6],
      want: 'connect',
    },
    {
      name: 'the response timer starts at the end of the request',
      input: [{ ...base, waitSince: 100 }, 149],
      want: undefined,
    },
    { name: 'no response head', input: [base, 151], want: 'response' },
    {
      name: 'a slow upload is not a response timeout',
      input: [{ ...base, requestDone: false, waitSince: 0, lastActive: 140 }, 160],
      want: undefined,
    },
    {
      name: 'a stalled upload is the client: body',
      input: [{ ...base, requestDone: false, waitSince: 0 }, 131],
      want: 'body',
    },
    {
      name: 'an upstream that stops reading the upload',
      input: [{ ...base, requestDone: false, waitSince: 0, upstreamBacklog: true }, 151],
      want: 'upstream-send',
    },
    {
      name: 'a client that stops reading the response: send',
      input: [{ ...base, streaming: true, clientBacklog: true }, 141],
      want: 'client-send',
    },
    {
      name: 'an upstream that stalls mid-body',
      input: [{ ...base, streaming: true }, 151],
      want: 'stalled',
    },
  ];
  for (const c of cases) t.equal(exchangeExpired(c.input[0], c.input[1], T), c.want, c.name);
});
