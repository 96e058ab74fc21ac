/**
 * What `name.service.consul` answers, asked of berth's DNS responder with a real query (SRV),
 * bounded in time. Must never ask any other server than the one configured.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsAnswer } from '../core/view-types.js';

/** Asks `server` (`host:port`) for the SRV records of `<service>.service.<domain>`. */
export async function askSrv(
  server: string,
  service: string,
  domain: string,
  timeoutMs = 1500,
): Promise<DnsAnswer> {
  const name = `${service}.service.${domain}`;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  try {
    const records = await resolver.resolveSrv(name);
    const answers = records.map((r) => `${r.name}:${r.port}`).sort();
    return { name, answers, error: undefined };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return {
      name,
      answers: [],
      error: code === 'ENOTFOUND' ? 'NXDOMAIN' : (code ?? (e as Error).message),
    };
  } finally {
    resolver.cancel();
  }
}
