/**
 * Request bodies of the ACL API decoded into store inputs: token, policy and role bodies with
 * their links given by ID or by Name (resolved against the state; an unknown one is a 400),
 * identities and templated policies, and token expiry (`ExpirationTTL` from the request time or
 * `ExpirationTime`). It never writes; the store validates the rest.
 */
import type { State } from '../../core/state.js';
import { Fields, isObject } from '../../core/fields.js';
import { parseGoDuration } from '../../core/go-duration.js';
import type {
  AclGrants,
  NodeIdentity,
  ServiceIdentity,
  TemplatedPolicyRef,
} from '../../core/types.js';
import { BadRequestError } from '../../errors.js';

function list(f: Fields, name: string): Fields[] {
  const v = f.raw(name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequestError(`Request decode failed: ${name} must be a list`);
  return v.map((x, i) => {
    if (!isObject(x))
      throw new BadRequestError(`Request decode failed: ${name}[${i}] must be an object`);
    return new Fields(x, name);
  });
}

function links(
  f: Fields,
  name: 'Policies' | 'Roles',
  byId: ReadonlyMap<string, { name: string }>,
  what: string,
): string[] {
  return list(f, name).map((l) => {
    const id = l.str('ID') ?? '';
    if (id !== '') {
      if (!byId.has(id))
        throw new BadRequestError(
          `${what}: No such ACL ${name === 'Policies' ? 'policy' : 'role'} with ID ${JSON.stringify(id)}`,
        );
      return id;
    }
    const n = l.str('Name') ?? '';
    for (const [k, v] of byId) if (v.name === n) return k;
    throw new BadRequestError(
      `${what}: No such ACL ${name === 'Policies' ? 'policy' : 'role'} with name ${JSON.stringify(n)}`,
    );
  });
}

/** Policies, identities and templated policies of a token or role body. */
export function decodeGrants(s: State, f: Fields, what: string): AclGrants {
  const serviceIdentities: ServiceIdentity[] = list(f, 'ServiceIdentities').map((x) => ({
    serviceName: x.str('ServiceName') ?? '',
    datacenters: x.strList('Datacenters') ?? [],
  }));
  const nodeIdentities: NodeIdentity[] = list(f, 'NodeIdentities').map((x) => ({
    nodeName: x.str('NodeName') ?? '',
    datacenter: x.str('Datacenter') ?? '',
  }));
  const templatedPolicies: TemplatedPolicyRef[] = list(f, 'TemplatedPolicies').map((x) => ({
    templateName: x.str('TemplateName') ?? '',
    name: x.obj('TemplateVariables')?.str('Name') ?? '',
    datacenters: x.strList('Datacenters') ?? [],
  }));
  return {
    policies: links(f, 'Policies', s.aclPolicies, what),
    serviceIdentities,
    nodeIdentities,
    templatedPolicies,
  };
}

export function decodeRoleLinks(s: State, f: Fields): string[] {
  return links(f, 'Roles', s.aclRoles, 'Invalid Token');
}

/** `ExpirationTime` or `ExpirationTTL` (from `now`) as RFC 3339; '' when neither is given. */
export function decodeExpiration(f: Fields, now: number): string {
  const ttl = f.str('ExpirationTTL');
  const at = f.str('ExpirationTime');
  if (ttl && at) {
    throw new BadRequestError('Token Expiration TTL and Expiration Time cannot both be set');
  }
  if (ttl) {
    const ns = parseGoDuration(ttl);
    if (ns === undefined || ns <= 0) {
      throw new BadRequestError(`Token Expiration TTL '${ttl}' should be > 0`);
    }
    return new Date(now + ns / 1e6).toISOString();
  }
  if (at) {
    const ms = Date.parse(at);
    if (Number.isNaN(ms)) throw new BadRequestError(`Invalid ExpirationTime ${JSON.stringify(at)}`);
    if (ms <= now) throw new BadRequestError('ExpirationTime cannot be in the past');
    return new Date(ms).toISOString();
  }
  return '';
}
