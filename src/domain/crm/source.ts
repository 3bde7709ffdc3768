import { z } from 'zod';

/**
 * Where a funnel field's value comes from in a CRM record: the small language of the field-mapping file
 * (README "CRM connectors"). A plain string names a property of the record; the object forms reach the
 * associated company, resolve an owner id or a pipeline stage id, take a fixed value, or combine sources.
 *
 *   dealname                                   the record's property `dealname`
 *   { company: domain }                        the associated (primary) company's property `domain`
 *   { owner: hubspot_owner_id }                a property holding an owner id, resolved to the owner's name
 *   { stage: dealstage }                       a property holding a pipeline stage id, resolved to its label
 *   { record: createdAt }                      the record's own id, createdAt or updatedAt
 *   { value: HubSpot }                         a fixed value
 *   { first: [a, b] }                          the first source with a non-empty value
 *   { latest: [a, b] }                         the latest of several timestamps
 *   { join: [firstname, lastname], separator: " " }
 *   null                                       nothing: the field stays empty
 */
export type Source =
  | { kind: 'property'; name: string }
  | { kind: 'company'; name: string }
  | { kind: 'owner'; name: string }
  | { kind: 'stage'; name: string }
  | { kind: 'record'; name: RecordAttribute }
  | { kind: 'value'; value: string }
  | { kind: 'first'; of: Source[] }
  | { kind: 'latest'; of: Source[] }
  | { kind: 'join'; of: Source[]; separator: string };

export type RecordAttribute = 'id' | 'createdAt' | 'updatedAt';
const RECORD_ATTRIBUTES: readonly RecordAttribute[] = ['id', 'createdAt', 'updatedAt'];

/** HubSpot internal names (`hs_next_step`), Salesforce API names (`Region__c`, `Account.Website`). */
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;
const MAX_VALUE = 200;
const MAX_PARTS = 10;
const MAX_DEPTH = 4;

const NAMED = ['property', 'company', 'owner', 'stage'] as const;
const LISTS = ['first', 'latest', 'join'] as const;
const FORMS = `a property name, null, or one of {${[...NAMED, 'record', 'value', ...LISTS].join(', ')}}`;

type Problem = { path: PropertyKey[]; message: string };

function propertyName(v: unknown, path: PropertyKey[], problems: Problem[]): string | null {
  if (typeof v === 'string' && PROPERTY_NAME.test(v)) return v;
  problems.push({
    path,
    message:
      typeof v === 'string'
        ? `${JSON.stringify(v.slice(0, 40))} is not a property name (letters, digits, _ and ., up to 100)`
        : 'expected a property name',
  });
  return null;
}

function listSource(
  key: (typeof LISTS)[number],
  o: Record<string, unknown>,
  path: PropertyKey[],
  problems: Problem[],
  depth: number,
): Source | null {
  const list = o[key];
  const allowed = key === 'join' ? ['join', 'separator'] : [key];
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) problems.push({ path, message: `unexpected key ${extra.join(', ')} beside ${key}` });
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_PARTS) {
    problems.push({ path: [...path, key], message: `expected a list of 1 to ${MAX_PARTS} sources` });
    return null;
  }
  const of = list.map((s, i) => readSource(s, [...path, key, i], problems, depth + 1));
  let separator = ' ';
  if (key === 'join' && o['separator'] !== undefined) {
    if (typeof o['separator'] === 'string' && o['separator'].length <= 10) separator = o['separator'];
    else problems.push({ path: [...path, 'separator'], message: 'expected a string of up to 10 characters' });
  }
  if (of.some((s) => s === null)) return null;
  const parts = of as Source[];
  return key === 'join' ? { kind: 'join', of: parts, separator } : { kind: key, of: parts };
}

/** One source read from the file, or null with its problems (each with its path) added to `problems`. */
export function readSource(v: unknown, path: PropertyKey[], problems: Problem[], depth = 0): Source | null {
  if (v === null) return { kind: 'value', value: '' };
  if (typeof v === 'string') {
    const name = propertyName(v, path, problems);
    return name === null ? null : { kind: 'property', name };
  }
  if (depth >= MAX_DEPTH) {
    problems.push({ path, message: `sources nest at most ${MAX_DEPTH} deep` });
    return null;
  }
  if (typeof v !== 'object' || Array.isArray(v)) {
    problems.push({ path, message: `expected ${FORMS}` });
    return null;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const list = LISTS.find((k) => k in o);
  if (list !== undefined) return listSource(list, o, path, problems, depth);
  if (keys.length !== 1) {
    problems.push({ path, message: `expected ${FORMS}` });
    return null;
  }
  const key = keys[0]!;
  const value = o[key];
  if ((NAMED as readonly string[]).includes(key)) {
    const name = propertyName(value, [...path, key], problems);
    return name === null ? null : { kind: key as (typeof NAMED)[number], name };
  }
  if (key === 'record') {
    if (RECORD_ATTRIBUTES.includes(value as RecordAttribute))
      return { kind: 'record', name: value as RecordAttribute };
    problems.push({ path: [...path, key], message: `expected one of ${RECORD_ATTRIBUTES.join(', ')}` });
    return null;
  }
  if (key === 'value') {
    const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    if (typeof text === 'string' && text.length <= MAX_VALUE) return { kind: 'value', value: text };
    problems.push({ path: [...path, key], message: `expected a text of up to ${MAX_VALUE} characters` });
    return null;
  }
  problems.push({ path, message: `unknown source '${key}': expected ${FORMS}` });
  return null;
}

/** The source language as a zod type: every problem is added at its own path inside the source. */
export const sourceSchema = z.unknown().transform((v, ctx) => {
  const problems: Problem[] = [];
  const s = readSource(v, [], problems);
  for (const p of problems) ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
  return s ?? z.NEVER;
});

/** Every source named inside `s`, depth first (a `first` or `latest` list included). */
export function* sourcesIn(s: Source): Generator<Source> {
  yield s;
  if (s.kind === 'first' || s.kind === 'latest' || s.kind === 'join')
    for (const p of s.of) yield* sourcesIn(p);
}

/** The record properties a source reads (owner and stage sources read a property too). */
export const recordProperties = (s: Source): string[] =>
  [...sourcesIn(s)].flatMap((p) =>
    p.kind === 'property' || p.kind === 'owner' || p.kind === 'stage' ? [p.name] : [],
  );

/** The associated company's properties a source reads. */
export const companyProperties = (s: Source): string[] =>
  [...sourcesIn(s)].flatMap((p) => (p.kind === 'company' ? [p.name] : []));
