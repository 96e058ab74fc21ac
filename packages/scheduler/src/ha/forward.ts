/**
 * Forwards an ECS request unchanged (method, path, headers including Host and the SigV4
 * Authorization, body) from a follower to the leader and relays the answer. Must never alter
 * signed headers: the leader verifies the client's own signature.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { ServerResponse } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

/** Marks a request a replica forwarded (the leader must not forward it again). */
export const FORWARDED_HEADER = 'x-berth-forwarded';

/**
 * Marks a 503 that means "this replica does not lead (any more)": the forwarding replica then
 * waits for the next leader instead of relaying it (issue 15: a restarted ex-leader answers
 * this until the new leader is known).
 */
export const NO_LEADER_HEADER = 'x-berth-no-leader';

/**
 * Sends the request to `leaderUrl` and relays the answer; rejects (writing nothing) when the
 * leader cannot be reached or answers that it does not lead.
 */
export function forwardRequest(
  leaderUrl: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  res: ServerResponse,
  timeoutMs = 90_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (v !== undefined && !HOP.has(k)) out[k] = v;
    }
    out[FORWARDED_HEADER] = '1';
    out['content-length'] = String(body.length);
    const target = new URL(url, leaderUrl);
    const req = request(
      target,
      { method: 'POST', headers: out, agent, timeout: timeoutMs },
      (up) => {
        if (up.statusCode === 503 && up.headers[NO_LEADER_HEADER]) {
          up.resume();
          reject(new Error('the replica forwarded to does not lead'));
          return;
        }
        const h: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) {
          if (v !== undefined && !HOP.has(k)) h[k] = v;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const data = Buffer.concat(chunks);
          h['content-length'] = String(data.length);
          res.writeHead(up.statusCode ?? 502, h);
          res.end(data);
          resolve();
        });
        up.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('leader did not answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}
