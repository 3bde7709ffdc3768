import type { z } from 'zod';
import {
  dataSourceDocSchema,
  describeIssue,
  serviceDocSchema,
  show,
  sliDocSchema,
  sloDocSchema,
} from './openslo.ts';
import { alertConditionDocSchema, alertPolicyDocSchema, alertTargetDocSchema } from './openslo-alerts.ts';
import { slothProblems, slothSpec } from './sloth.ts';

/**
 * The first pass over a file's documents: each one checked against its kind's schema and indexed by kind
 * and name, beside the objects applied earlier (a reference resolves to this file's document first).
 */

const SCHEMAS = {
  SLO: sloDocSchema,
  SLI: sliDocSchema,
  Service: serviceDocSchema,
  DataSource: dataSourceDocSchema,
  AlertPolicy: alertPolicyDocSchema,
  AlertCondition: alertConditionDocSchema,
  AlertNotificationTarget: alertTargetDocSchema,
} as const;
export type Kind = keyof typeof SCHEMAS;
export type DocOf<K extends Kind> = z.infer<(typeof SCHEMAS)[K]>;
const KINDS = Object.keys(SCHEMAS) as Kind[];
const KIND_LIST = `${KINDS.slice(0, -1)
  .map((k) => JSON.stringify(k))
  .join(', ')} or ${JSON.stringify(KINDS.at(-1))}`;
const isKind = (k: unknown): k is Kind => typeof k === 'string' && Object.hasOwn(SCHEMAS, k);

/** An OpenSLO object kept from an earlier apply (any kind but SLO, which lives on as SLA definitions). */
export interface StoredObject {
  kind: string;
  name: string;
  document: unknown;
}

export interface Entry<K extends Kind = Kind> {
  kind: K;
  name: string;
  /** `docs[3] (AlertPolicy paging)`, or `AlertPolicy paging (applied earlier)`. */
  label: string;
  /** null: invalid (reported at its document when it is in this file). */
  doc: DocOf<K> | null;
  stored: boolean;
}

export interface DocSet {
  /** This file's documents of a known kind with a name, in file order, valid or not. */
  entries: Entry[];
  /** The document of that kind and name: this file's, else one applied earlier. */
  find<K extends Kind>(kind: K, name: string): Entry<K> | undefined;
}

const key = (kind: string, name: string) => `${kind}\u0000${name}`;

/** What is kept of a valid document for later applies: a DataSource's connectionDetails never are. */
export function storable(e: Entry): StoredObject | null {
  if (e.doc === null || e.kind === 'SLO') return null;
  const doc = structuredClone(e.doc) as { spec?: { connectionDetails?: unknown } };
  if (e.kind === 'DataSource' && doc.spec) delete doc.spec.connectionDetails;
  return { kind: e.kind, name: e.name, document: doc };
}

function labelOf(i: number, raw: Record<string, unknown>): string {
  const meta = raw['metadata'] as { name?: unknown } | undefined;
  const docName = typeof meta?.name === 'string' ? meta.name : undefined;
  return `docs[${i}]${typeof raw['kind'] === 'string' ? ` (${raw['kind']}${docName ? ` ${docName}` : ''})` : ''}`;
}

/** One document of the file: its entry, or its problems pushed to errors. */
function readOne(raw: unknown, i: number, seen: Map<string, number>, errors: string[]): Entry | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(`docs[${i}]: must be a mapping (an OpenSLO document), got ${show(raw)}`);
    return null;
  }
  const doc = raw as Record<string, unknown>;
  if (slothSpec(doc) !== null) {
    const service = slothSpec(doc)!['service'];
    const label = `docs[${i}] (Sloth spec${typeof service === 'string' ? ` ${service}` : ''})`;
    for (const p of slothProblems(doc)) errors.push(`${label}: ${p}`);
    return null;
  }
  const label = labelOf(i, doc);
  if (!isKind(doc['kind'])) {
    errors.push(
      doc['kind'] === undefined
        ? `${label}: kind is missing (expected ${KIND_LIST})`
        : `${label}: kind must be ${KIND_LIST} (got ${show(doc['kind'])})`,
    );
    return null;
  }
  const kind = doc['kind'];
  const name = (doc['metadata'] as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string') {
    const earlier = seen.get(key(kind, name));
    if (earlier !== undefined) {
      errors.push(`${label}: metadata.name ${show(name)} is already used by docs[${earlier}]`);
      return null;
    }
    seen.set(key(kind, name), i);
  }
  const parsed = SCHEMAS[kind].safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues) errors.push(`${label}: ${describeIssue(issue, raw)}`);
  if (typeof name !== 'string') return null;
  return {
    kind,
    name,
    label,
    doc: parsed.success ? (parsed.data as DocOf<typeof kind>) : null,
    stored: false,
  };
}

/** Indexes `docs` (problems pushed to `errors`) beside the objects applied earlier. */
export function readDocuments(
  docs: readonly unknown[],
  stored: readonly StoredObject[],
  errors: string[],
): DocSet {
  const seen = new Map<string, number>();
  const entries: Entry[] = [];
  docs.forEach((raw, i) => {
    const e = readOne(raw, i, seen, errors);
    if (e !== null) entries.push(e);
  });
  const byKey = new Map<string, Entry>();
  for (const s of stored) {
    if (!isKind(s.kind) || s.kind === 'SLO') continue;
    const parsed = SCHEMAS[s.kind].safeParse(s.document);
    byKey.set(key(s.kind, s.name), {
      kind: s.kind,
      name: s.name,
      label: `${s.kind} ${s.name} (applied earlier)`,
      doc: parsed.success ? (parsed.data as DocOf<Kind>) : null,
      stored: true,
    });
  }
  for (const e of entries) byKey.set(key(e.kind, e.name), e);
  return {
    entries,
    find: <K extends Kind>(kind: K, name: string) => byKey.get(key(kind, name)) as Entry<K> | undefined,
  };
}
