import type { z } from 'zod';
import { formatPath as formatIssuePath, type IssuePath, show, valueAt } from '../zod-issues.ts';
import { EDITABLE_FIELDS, type FixPack, fixPackSchema } from './dsl.ts';

/**
 * Fix packs arrive as data (a file, a Slack form, an API body). This turns zod's issues into sentences a
 * RevOps admin can act on: `steps[2].type: unknown step type "frobnicate" (expected one of …)`. Every
 * problem zod finds is reported, one line each, prefixed with where it is (`steps[1].field`, `version`,
 * or `fix pack` for the pack itself).
 */
export type FixPackParse = { ok: true; pack: FixPack } | { ok: false; errors: string[] };

export function parseFixPack(input: unknown): FixPackParse {
  const r = fixPackSchema.safeParse(input);
  if (r.success) return { ok: true, pack: r.data };
  const errors = [...new Set(r.error.issues.map((i) => describeIssue(i, input)))];
  return { ok: false, errors };
}

/**
 * A fix pack as JSON text. Malformed text is an error in the result, never a throw. (JSON only: the domain
 * cannot import a YAML parser; a caller that accepts YAML parses it and calls parseFixPack.)
 */
export function parseFixPackText(text: string): FixPackParse {
  if (text.trim() === '') return { ok: false, errors: ['fix pack: the text is empty'] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      errors: [`fix pack: not valid JSON (${e instanceof Error ? e.message : String(e)})`],
    };
  }
  return parseFixPack(data);
}

type Path = IssuePath;

/** `steps[2].type`; the pack itself is "fix pack". */
export const formatPath = (path: Path): string => formatIssuePath(path, 'fix pack');

const KIND_LABELS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

const oneOf = (values: readonly unknown[]): string => values.map(String).join(', ');
const plural = (n: number | bigint, one: string, many: string): string =>
  `${n} ${Number(n) === 1 ? one : many}`;

/** What a discriminator names, from its place: a step's `type` or the verify spec's `kind`. */
function discriminatorLabel(path: Path): string {
  if (path[0] === 'steps') return 'step type';
  if (path[0] === 'verify') return 'verify kind';
  return String(path[path.length - 1] ?? 'kind');
}

const isNotifyTarget = (path: Path): boolean => path[0] === 'steps' && path[path.length - 1] === 'to';

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path);
  const got = valueAt(input, issue.path);
  return `${where}: ${what(issue, got)}`;
}

function what(issue: z.core.$ZodIssue, got: unknown): string {
  const path = issue.path;
  const last = path[path.length - 1];
  switch (issue.code) {
    case 'invalid_union': {
      // zod reports an unknown discriminator with the allowed values (not in its published issue type).
      const options = (issue as { discriminator?: unknown; options?: unknown }).options;
      if ('discriminator' in issue && Array.isArray(options)) {
        const label = discriminatorLabel(path);
        const expected = `(expected one of ${oneOf(options)})`;
        return got === undefined
          ? `missing ${label} ${expected}`
          : `unknown ${label} ${show(got)} ${expected}`;
      }
      if (isNotifyTarget(path)) return notifyTarget(got);
      return `${show(got)} does not match any allowed form`;
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}`;
    }
    case 'invalid_value': {
      if (path.length === 1 && last === 'version')
        return got === undefined ? 'missing (only version 1 is supported)' : 'only version 1 is supported';
      const editable =
        last === 'field' &&
        issue.values.length === EDITABLE_FIELDS.length &&
        issue.values.every((v, i) => v === EDITABLE_FIELDS[i]);
      if (editable && got !== undefined)
        return `${show(got)} is not a field a fix pack may change (${oneOf(EDITABLE_FIELDS)})`;
      if (got === undefined) return `missing (expected one of ${oneOf(issue.values)})`;
      if (issue.values.length === 1)
        return `${show(got)} is not allowed (expected ${String(issue.values[0])})`;
      return `${show(got)} is not allowed (expected one of ${oneOf(issue.values)})`;
    }
    case 'invalid_type': {
      const expected = KIND_LABELS[issue.expected] ?? issue.expected;
      if (got === undefined) return `missing (expected ${expected})`;
      return `expected ${expected}, got ${show(got)}`;
    }
    case 'too_small': {
      const n = issue.minimum;
      if (issue.origin === 'string')
        return Number(n) <= 1
          ? 'must not be empty'
          : `must be at least ${plural(n, 'character', 'characters')}`;
      if (issue.origin === 'array')
        return `needs at least ${plural(n, last === 'steps' ? 'step' : 'item', last === 'steps' ? 'steps' : 'items')}`;
      return issue.inclusive ? `must be at least ${n}` : `must be greater than ${n}`;
    }
    case 'too_big': {
      const n = issue.maximum;
      if (issue.origin === 'string') return `must be at most ${plural(n, 'character', 'characters')}`;
      if (issue.origin === 'array')
        return `allows at most ${plural(n, last === 'steps' ? 'step' : 'item', last === 'steps' ? 'steps' : 'items')}`;
      return issue.inclusive ? `must be at most ${n}` : `must be less than ${n}`;
    }
    case 'invalid_format':
      if (isNotifyTarget(path)) return notifyTarget(got);
      if (last === 'id' && path.length === 1)
        return `${show(got)} is not a valid id (1 to 64 lowercase letters, digits and _)`;
      return `${show(got)} is not valid (${issue.message})`;
    default:
      return issue.message;
  }
}

const notifyTarget = (got: unknown): string =>
  `${show(got)} is not a notification target (expected owner, manager_channel or a Slack channel id such as C0123ABCD)`;
