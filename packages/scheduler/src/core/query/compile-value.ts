/**
 * Turns one literal argument of a cluster query into a QueryValue: checks it against what the
 * subject expects (booleans, counts, dates, versions) and precompiles regular expressions and
 * `*` wildcards. Pure: must never read the clock.
 */

import { parseQueryDate, parseVersion } from './compare-values.js';
import { QueryError } from './errors.js';
import type { QueryOperator, QuerySubject, QueryValue } from './types.js';

/** `attribute:<name>` or the field name. */
export function subjectText(s: QuerySubject): string {
  return s.kind === 'attribute' ? `attribute:${s.name}` : s.kind;
}

/** Validates and precompiles `text`, found at offset `at`, as an argument of `op`. */
export function compileValue(
  subject: QuerySubject,
  op: QueryOperator,
  text: string,
  quoted: boolean,
  at: number,
): QueryValue {
  const bad = (what: string): never => {
    throw new QueryError(
      at,
      `position ${at}: ${subjectText(subject)} expects ${what}, found ${JSON.stringify(text)}`,
    );
  };
  if (op === '=~' || op === '!~') {
    let pattern: RegExp;
    try {
      // No 'u' flag: Java patterns such as `us\-east` are errors in JavaScript's unicode mode.
      pattern = new RegExp(`^(?:${text})$`);
    } catch {
      throw new QueryError(
        at,
        `position ${at}: invalid regular expression ${JSON.stringify(text)}`,
      );
    }
    return { text, quoted, pattern };
  }
  switch (subject.kind) {
    case 'agentConnected':
      if (text !== 'true' && text !== 'false') bad("'true' or 'false'");
      return { text, quoted };
    case 'runningTasksCount': {
      if (!/^\d{1,9}$/.test(text)) bad('a non-negative integer');
      return { text, quoted, number: Number(text) };
    }
    case 'registeredAt': {
      const range = parseQueryDate(text);
      if (range === undefined) {
        bad(
          'a date such as 2018-06-18, 2018-06-18T22:28:28, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00',
        );
      }
      return { text, quoted, range };
    }
    case 'agentVersion':
      if (parseVersion(text) === undefined) bad('a version such as 1.14.5');
      return { text, quoted };
    default:
      if (
        !quoted &&
        text.includes('*') &&
        (op === '==' || op === '!=' || op === 'in' || op === '!in')
      ) {
        const glob = text.split('*').map(escapeRegExp).join('.*');
        return { text, quoted, pattern: new RegExp(`^${glob}$`, 's') };
      }
      return { text, quoted };
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
