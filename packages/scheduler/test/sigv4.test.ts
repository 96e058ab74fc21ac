// SigV4: berth's signer and verifier agree with @smithy/signature-v4 (the AWS SDK's signer), and
// every refusal is shaped like AWS's.
import t from 'tap';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { amzDate, signSigV4, verifySigV4 } from '../src/core/sigv4.js';
import { parseCredentialsFile } from '../src/adapters/credentials-file.js';
import { EcsError } from '../src/errors.js';

const creds = {
  accessKeyId: 'AKIDBERTHTEST',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY',
};
const keys = new Map([[creds.accessKeyId, creds.secretAccessKey]]);
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const body = '{"cluster":"default"}';

async function smithySigned(extraHeaders: Record<string, string> = {}, path = '/') {
  const signer = new SignatureV4({
    credentials: creds,
    region: 'us-east-1',
    service: 'ecs',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8700,
      path,
      query: {},
      headers: {
        host: '127.0.0.1:8700',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
        ...extraHeaders,
      },
      body,
    },
    { signingDate: new Date(NOW) },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
  return headers;
}

t.test('verifies what the AWS SDK signer signs', async (t) => {
  const headers = await smithySigned({ 'user-agent': 'aws-sdk-js/3  multiple   spaces' });
  const id = verifySigV4(
    { method: 'POST', url: '/', headers, body: Buffer.from(body) },
    { keys, region: 'us-east-1', service: 'ecs', now: NOW },
  );
  t.equal(id, creds.accessKeyId);
});

t.test('berth signer produces the AWS SDK signature', async (t) => {
  const theirs = await smithySigned();
  const ours = signSigV4({
    method: 'POST',
    host: '127.0.0.1:8700',
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
      'x-amz-content-sha256': theirs['x-amz-content-sha256'] ?? '',
    },
    body,
    credentials: creds,
    region: 'us-east-1',
    service: 'ecs',
    now: NOW,
  });
  // This smithy version also signs x-amz-content-sha256; berth signs every header it is given.
  t.equal(ours['authorization'], theirs['authorization']);
});

t.test('refusals are shaped like AWS', async (t) => {
  const good = await smithySigned();
  const cases: {
    name: string;
    headers: Record<string, string>;
    body?: string;
    now?: number;
    region?: string;
    want: string;
    message: RegExp;
  }[] = [
    {
      name: 'no Authorization header',
      headers: { ...good, authorization: '' },
      want: 'MissingAuthenticationTokenException',
      message: /Missing Authentication Token/,
    },
    {
      name: 'unknown access key',
      headers: {
        ...good,
        authorization: (good['authorization'] ?? '').replace('AKIDBERTHTEST', 'AKIDOTHER'),
      },
      want: 'UnrecognizedClientException',
      message: /security token included in the request is invalid/,
    },
    {
      name: 'wrong signature (body changed)',
      headers: good,
      body: '{"cluster":"other"}',
      want: 'InvalidSignatureException',
      message: /signature we calculated does not match/,
    },
    {
      name: 'wrong signature (signed header changed)',
      headers: { ...good, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DeleteCluster' },
      want: 'InvalidSignatureException',
      message: /does not match/,
    },
    {
      name: 'date too old',
      headers: good,
      now: NOW + 16 * 60 * 1000,
      want: 'InvalidSignatureException',
      message: /Signature expired: 20261121T120000Z is now earlier than/,
    },
    {
      name: 'date in the future',
      headers: good,
      now: NOW - 16 * 60 * 1000,
      want: 'InvalidSignatureException',
      message: /Signature not yet current/,
    },
    {
      name: 'other region in the scope',
      headers: good,
      region: 'eu-west-1',
      want: 'InvalidSignatureException',
      message: /scoped to a valid region/,
    },
    {
      name: 'malformed Authorization',
      headers: { ...good, authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST/x' },
      want: 'IncompleteSignatureException',
      message: /requires 'SignedHeaders' parameter/,
    },
    {
      name: 'another scheme',
      headers: { ...good, authorization: 'Basic Zm9vOmJhcg==' },
      want: 'IncompleteSignatureException',
      message: /algorithm/,
    },
  ];
  for (const c of cases) {
    const headers: Record<string, string> = { ...c.headers };
    if (headers['authorization'] === '') delete headers['authorization'];
    try {
      verifySigV4(
        { method: 'POST', url: '/', headers, body: Buffer.from(c.body ?? body) },
        { keys, region: c.region ?? 'us-east-1', service: 'ecs', now: c.now ?? NOW },
      );
      t.fail(`${c.name}: accepted`);
    } catch (e) {
      t.ok(e instanceof EcsError, c.name);
      t.equal((e as EcsError).type, c.want, c.name);
      t.equal((e as EcsError).status, 400, `${c.name}: status`);
      t.match((e as EcsError).message, c.message, `${c.name}: message`);
      t.notMatch((e as EcsError).message, creds.secretAccessKey, `${c.name}: no secret`);
    }
  }
});

t.test('amzDate', async (t) => {
  t.equal(amzDate(NOW), '20261121T120000Z');
});

t.test('shared-credentials file: every profile', async (t) => {
  const cases = [
    {
      name: 'two profiles, comments, spaces',
      input: `# berth\n[default]\naws_access_key_id = AK1\naws_secret_access_key=S1\n\n[profile ops]\n; c\naws_access_key_id=AK2\naws_secret_access_key = S2/x+y\nregion = us-east-1\n`,
      want: [
        { profile: 'default', accessKeyId: 'AK1', secretAccessKey: 'S1' },
        { profile: 'ops', accessKeyId: 'AK2', secretAccessKey: 'S2/x+y' },
      ],
    },
    {
      name: 'a profile without a secret is skipped',
      input: `[a]\naws_access_key_id=AK1\n[b]\naws_access_key_id=AK2\naws_secret_access_key=S2\n`,
      want: [{ profile: 'b', accessKeyId: 'AK2', secretAccessKey: 'S2' }],
    },
    { name: 'empty', input: '', want: [] },
  ];
  for (const c of cases) t.same(parseCredentialsFile(c.input), c.want, c.name);
});
