/**
 * The SSM Parameter Store API (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`, SigV4 service
 * `ssm`) on the scheduler's endpoint: PutParameter, GetParameter(s), GetParametersByPath,
 * DeleteParameter(s), DescribeParameters, GetParameterHistory, LabelParameterVersion,
 * UnlabelParameterVersion; plus berth's `BerthAdminV1.RotateSecretsKey`. Served by any replica
 * (the store is CAS on KV). Answers carry a value only when asked for it; a SecureString's value
 * without `WithDecryption` is its sealed form. Must never put a value into an error.
 */
import type { ArnScope } from '../core/arn.js';
import { type Body, optBool, optInt } from '../core/input.js';
import { seal } from './cipher.js';
import { matchesFilters, pathMatches, readFilters } from './parameter-filters.js';
import { parameterArn, parseSelected, type SsmLayout } from './parameter-names.js';
import { readPutParameter } from './put-parameter.js';
import {
  labelVersion,
  latest,
  putVersion,
  selectVersion,
  unlabelVersion,
  type ParameterRecord,
  type ParameterType,
  type VersionRecord,
} from './parameter-record.js';
import type { ParameterStore } from './parameter-store.js';
import { parameterNotFound, validation } from './ssm-errors.js';
import { labelsOf, names, page, reqName } from './ssm-input.js';

/** A handler served without a leader: `(body, access key id of the signer)`. */
export type DirectHandler = (body: Body, caller: string | undefined) => Promise<unknown>;

const secs = (ms: number): number => ms / 1000;

/** The SSM API over one store. */
export class SsmApi {
  readonly #store: ParameterStore;
  readonly #scope: ArnScope;
  readonly #now: () => number;

  constructor(store: ParameterStore, scope: ArnScope, now: () => number = Date.now) {
    this.#store = store;
    this.#scope = scope;
    this.#now = now;
  }

  /** Action name → handler. */
  get handlers(): Readonly<Record<string, DirectHandler>> {
    return {
      PutParameter: (b, c) => this.put(b, c),
      GetParameter: (b) => this.getOne(b),
      GetParameters: (b) => this.getMany(b),
      GetParametersByPath: (b) => this.byPath(b),
      DeleteParameter: (b) => this.deleteOne(b),
      DeleteParameters: (b) => this.deleteMany(b),
      DescribeParameters: (b) => this.describe(b),
      GetParameterHistory: (b) => this.history(b),
      LabelParameterVersion: (b) => this.label(b),
      UnlabelParameterVersion: (b) => this.unlabel(b),
    };
  }

  async #value(p: ParameterRecord, v: VersionRecord, decrypt: boolean): Promise<string> {
    if (v.type === 'SecureString' && !decrypt)
      return Buffer.from(v.value, 'utf8').toString('base64');
    return this.#store.reveal(p, v.version);
  }

  async #render(p: ParameterRecord, v: VersionRecord, decrypt: boolean, selector?: string) {
    return {
      Name: p.name,
      Type: v.type,
      Value: await this.#value(p, v, decrypt),
      Version: v.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: secs(v.modified),
      ARN: parameterArn(this.#scope, p.name),
      DataType: v.dataType,
    };
  }

  #meta(p: ParameterRecord, v: VersionRecord): Record<string, unknown> {
    return {
      Name: p.name,
      ...(p.name !== undefined ? { ARN: parameterArn(this.#scope, p.name) } : {}),
      Type: v.type,
      ...(v.keyId ? { KeyId: v.keyId } : {}),
      LastModifiedDate: secs(v.modified),
      LastModifiedUser: v.user,
      ...(v.description ? { Description: v.description } : {}),
      ...(v.allowedPattern ? { AllowedPattern: v.allowedPattern } : {}),
      Version: v.version,
      Tier: v.tier,
      Policies: [],
      DataType: v.dataType,
    };
  }

  /** The decrypted value a selector names, for secrets resolution; undefined when missing. */
  async resolve(nameOrArn: string): Promise<{ value: string; type: ParameterType } | undefined> {
    let sel;
    try {
      sel = parseSelected(nameOrArn);
    } catch {
      return undefined;
    }
    const found = await this.#store.get(sel.name);
    if (!found) return undefined;
    let v: VersionRecord;
    try {
      v = selectVersion(found.record, sel);
    } catch {
      return undefined;
    }
    return { value: await this.#store.reveal(found.record, v.version), type: v.type };
  }

  async put(body: Body, caller: string | undefined): Promise<unknown> {
    const p = readPutParameter(body);
    const { name, value } = p;
    const now = this.#now();
    const user = `arn:aws:iam::${this.#scope.accountId}:user/${caller ?? 'berth'}`;
    const written = await this.#store.update(name, (prev, key) =>
      putVersion(prev, {
        name,
        sealed: (version) => seal(key, name, version, value),
        type: p.type,
        keyId: p.keyId,
        description: p.description,
        allowedPattern: p.allowedPattern,
        tier: p.tier,
        dataType: p.dataType,
        overwrite: p.overwrite,
        tags: p.tags,
        now,
        user,
      }),
    );
    const v = latest(written as ParameterRecord);
    return { Version: v.version, Tier: v.tier };
  }

  async getOne(body: Body): Promise<unknown> {
    const sel = parseSelected(reqName(body));
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const found = await this.#store.get(sel.name);
    if (!found) throw parameterNotFound();
    const v = selectVersion(found.record, sel);
    return { Parameter: await this.#render(found.record, v, decrypt, sel.selector) };
  }

  async getMany(body: Body): Promise<unknown> {
    const list = names(body, 'Names');
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const Parameters: unknown[] = [];
    const InvalidParameters: string[] = [];
    for (const n of list) {
      try {
        const sel = parseSelected(n);
        const found = await this.#store.get(sel.name);
        if (!found) {
          InvalidParameters.push(n);
          continue;
        }
        Parameters.push(
          await this.#render(found.record, selectVersion(found.record, sel), decrypt, sel.selector),
        );
      } catch (e) {
        const type = (e as { type?: string }).type;
        if (type === 'ParameterVersionNotFound' || type === 'ValidationException')
          InvalidParameters.push(n);
        else throw e;
      }
    }
    return { Parameters, InvalidParameters };
  }

  async byPath(body: Body): Promise<unknown> {
    const path = reqName(body, 'Path');
    if (!path.startsWith('/') || (path !== '/' && !/^(\/[a-zA-Z0-9_.-]+)+\/?$/.test(path))) {
      throw validation(
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      );
    }
    const recursive = optBool(body, 'Recursive') ?? false;
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const max = optInt(body, 'MaxResults', 1, 10) ?? 10;
    const filters = readFilters(body, ['Type', 'KeyId', 'Label', 'tag']);
    const layout: SsmLayout = this.#store.layout;
    const all = (await this.#store.list(layout.pathPrefix(path)))
      .map((s) => s.record)
      .filter((p) => pathMatches(p.name, path, recursive) && matchesFilters(p, filters));
    const { items, next } = page(all, (p) => p.name, body, max);
    const Parameters = [];
    for (const p of items) Parameters.push(await this.#render(p, latest(p), decrypt));
    return { Parameters, ...(next ? { NextToken: next } : {}) };
  }

  async deleteOne(body: Body): Promise<unknown> {
    const name = reqName(body);
    const gone = await this.#store.update(name, (prev) => (prev ? null : undefined));
    if (gone !== null) throw parameterNotFound();
    return {};
  }

  async deleteMany(body: Body): Promise<unknown> {
    const DeletedParameters: string[] = [];
    const InvalidParameters: string[] = [];
    for (const n of names(body, 'Names')) {
      const gone = await this.#store.update(n, (prev) => (prev ? null : undefined));
      (gone === null ? DeletedParameters : InvalidParameters).push(n);
    }
    return { DeletedParameters, InvalidParameters };
  }

  async describe(body: Body): Promise<unknown> {
    const max = optInt(body, 'MaxResults', 1, 50) ?? 50;
    const filters = readFilters(body, [
      'Name',
      'Type',
      'KeyId',
      'Path',
      'Tier',
      'DataType',
      'Label',
      'tag',
    ]);
    const all = (await this.#store.list())
      .map((s) => s.record)
      .filter((p) => matchesFilters(p, filters));
    const { items, next } = page(all, (p) => p.name, body, max);
    return {
      Parameters: items.map((p) => this.#meta(p, latest(p))),
      ...(next ? { NextToken: next } : {}),
    };
  }

  async history(body: Body): Promise<unknown> {
    const name = reqName(body);
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const max = optInt(body, 'MaxResults', 1, 50) ?? 50;
    const found = await this.#store.get(parseSelected(name).name);
    if (!found) throw parameterNotFound();
    const p = found.record;
    const key = (v: VersionRecord): string => String(v.version).padStart(8, '0');
    const { items, next } = page([...p.versions], key, body, max);
    const Parameters = [];
    for (const v of items) {
      Parameters.push({
        ...this.#meta(p, v),
        Value: await this.#value(p, v, decrypt),
        Labels: [...v.labels],
      });
    }
    return { Parameters, ...(next ? { NextToken: next } : {}) };
  }

  async label(body: Body): Promise<unknown> {
    const name = parseSelected(reqName(body)).name;
    const version = optInt(body, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
    const labels = labelsOf(body);
    let out: { invalid: string[]; version: number } = { invalid: [], version: 0 };
    const written = await this.#store.update(name, (prev) => {
      if (!prev) throw parameterNotFound();
      const r = labelVersion(prev, version, labels);
      out = r;
      return r.record;
    });
    if (!written) throw parameterNotFound();
    return { InvalidLabels: out.invalid, ParameterVersion: out.version };
  }

  async unlabel(body: Body): Promise<unknown> {
    const name = parseSelected(reqName(body)).name;
    const version = optInt(body, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
    if (version === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null",
      );
    }
    const labels = labelsOf(body);
    let out: { removed: string[]; invalid: string[] } = { removed: [], invalid: [] };
    await this.#store.update(name, (prev) => {
      if (!prev) throw parameterNotFound();
      const r = unlabelVersion(prev, version, labels);
      out = r;
      return r.removed.length ? r.record : undefined;
    });
    return { RemovedLabels: out.removed, InvalidLabels: out.invalid };
  }
}
