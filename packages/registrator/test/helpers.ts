// Shared bits of the registrator's Docker tests: reading the catalog's agent view and waiting
// for a condition with a bound. Must never touch containers or services of other runs.
import { OWNER_META } from '../src/index.js';

/** A service as GET /v1/agent/services shows it. */
export interface AgentService {
  ID: string;
  Service: string;
  Tags: string[];
  Meta: Record<string, string>;
  Port: number;
  Address: string;
}

/** The services of `hostname`'s registrator in the catalog at `url`, by ID. */
export async function ownedServices(
  url: string,
  hostname: string,
): Promise<Map<string, AgentService>> {
  const res = await fetch(`${url}/v1/agent/services`);
  if (!res.ok) throw new Error(`GET /v1/agent/services: ${res.status}`);
  const all = (await res.json()) as Record<string, AgentService>;
  return new Map(
    Object.values(all)
      .filter((s) => s.Meta?.[OWNER_META.owner] === hostname)
      .map((s) => [s.ID, s]),
  );
}
