import { type HEADER, parseRow, showValue } from '../records/parse-row.ts';
import { type FunnelRecord, normalizeStage, type RecordType } from '../records/record.ts';
import type { ObjectMapping } from './mapping.ts';
import type { FunnelField } from './mapping-defaults.ts';
import type { Source } from './source.ts';
import { centsText, crmAmountToCents, nearestOpenStage, normalizeDomain, parseCrmInstant } from './values.ts';

/**
 * One CRM record onto one funnel record (DOMAIN.md §1), through the object's field mapping. Pure: owners
 * and stages come resolved in `lookups`, the email hash is injected (it is keyed with a deployment secret).
 * The mapped fields then go through the CSV import's own row check (parseRow), so a synced record and an
 * imported one are validated and normalized alike; a record that fails is reported with its reason.
 */

type Props = Readonly<Record<string, string | null | undefined>>;

export interface CrmRecord {
  /** The CRM's own id (the funnel id is the object's prefix followed by it). */
  id: string;
  properties: Props;
  createdAtMs: number | null;
  updatedAtMs: number | null;
  /** The primary associated company's properties (those the mapping reads), or null when it has none. */
  company: Props | null;
}

export interface CrmStage {
  label: string;
  /** Win probability 0–1 from the pipeline's stage metadata; null when the CRM gives none. */
  probability: number | null;
  closed: boolean;
}

export interface CrmLookups {
  /** Active owners by id → the name shown as the record's owner. */
  owners: ReadonlyMap<string, string>;
  /** Pipeline stages by id. */
  stages: ReadonlyMap<string, CrmStage>;
}

export type MapResult = { ok: true; record: FunnelRecord } | { ok: false; reason: string };

interface Value {
  text: string;
  /** Where it came from, for reasons: a property name, `company.domain`, `createdAt`. */
  from: string;
  /** Set when the value is a resolved pipeline stage. */
  stage?: CrmStage;
  raw?: string;
}

class MapFailure extends Error {}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** A closed stage is the funnel's Closed Won or Closed Lost, whatever the pipeline calls it. */
export function stageName(s: CrmStage): string {
  if (!s.closed) return s.label;
  const won = s.probability === null ? /\bwon\b/i.test(s.label) : s.probability > 0;
  return won ? 'Closed Won' : 'Closed Lost';
}

function latest(parts: Value[], field: FunnelField): Value {
  let best: { v: Value; ms: number } | null = null;
  for (const v of parts) {
    if (v.text.trim() === '') continue;
    const ms = parseCrmInstant(v.text);
    if (ms === null) throw new MapFailure(`${field}: ${showValue(v.text)} in ${v.from} is not a timestamp`);
    if (best === null || ms > best.ms) best = { v, ms };
  }
  return best?.v ?? { text: '', from: parts.map((p) => p.from).join(', ') };
}

function evaluate(s: Source, r: CrmRecord, lookups: CrmLookups, field: FunnelField): Value {
  switch (s.kind) {
    case 'property':
      return { text: r.properties[s.name] ?? '', from: s.name };
    case 'company':
      return { text: r.company?.[s.name] ?? '', from: `company.${s.name}` };
    case 'owner': {
      // An owner id the CRM no longer lists as active (a deactivated user) owns nothing: the record is
      // nobody's, which is the leak UNASSIGNED_OWNER is about.
      const id = (r.properties[s.name] ?? '').trim();
      return { text: id === '' ? '' : (lookups.owners.get(id) ?? ''), from: s.name };
    }
    case 'stage': {
      const id = (r.properties[s.name] ?? '').trim();
      const stage = lookups.stages.get(id);
      // A stage the pipelines do not list (deleted since) keeps its id: an unknown, open stage.
      return stage
        ? { text: stageName(stage), from: s.name, stage, raw: id }
        : { text: id, from: s.name, raw: id };
    }
    case 'record':
      return {
        text: s.name === 'id' ? r.id : iso(s.name === 'createdAt' ? r.createdAtMs : r.updatedAtMs),
        from: s.name,
      };
    case 'value':
      return { text: s.value, from: 'value' };
    case 'first': {
      const parts = s.of.map((p) => evaluate(p, r, lookups, field));
      return (
        parts.find((v) => v.text.trim() !== '') ?? { text: '', from: parts.map((p) => p.from).join(', ') }
      );
    }
    case 'latest':
      return latest(
        s.of.map((p) => evaluate(p, r, lookups, field)),
        field,
      );
    case 'join': {
      const parts = s.of.map((p) => evaluate(p, r, lookups, field));
      const text = parts
        .map((v) => v.text.trim())
        .filter((t) => t !== '')
        .join(s.separator);
      return { text, from: parts.map((p) => p.from).join(', ') };
    }
  }
}

const stageText = (v: Value, m: ObjectMapping): string => funnelStage(m, v.stage, v.text, v.raw);

/**
 * A CRM stage as the funnel names it: the mapping's stage map (by label, then by the CRM's raw value),
 * else the nearest open stage by probability when the mapping asks for it, else the label. The sync and
 * the write-back's re-read (adapters/crm/<vendor>/write-values.ts) both use it, so they agree.
 */
export function funnelStage(
  m: ObjectMapping,
  stage: CrmStage | undefined,
  text: string,
  raw: string | undefined,
): string {
  const mapped =
    m.stageMap.get(normalizeStage(text)) ?? (raw ? m.stageMap.get(normalizeStage(raw)) : undefined);
  if (mapped !== undefined) return mapped;
  if (m.stageFromProbability && stage && !stage.closed && stage.probability !== null)
    return nearestOpenStage(stage.probability);
  return text.trim();
}

function instant(v: Value, field: FunnelField, required: boolean): string {
  if (v.text.trim() === '') {
    if (required) throw new MapFailure(`${field}: no value in ${v.from}`);
    return '';
  }
  const ms = parseCrmInstant(v.text);
  if (ms === null) throw new MapFailure(`${field}: ${showValue(v.text)} in ${v.from} is not a timestamp`);
  return iso(ms);
}

function amount(v: Value): string {
  const a = crmAmountToCents(v.text);
  if ('reason' in a) throw new MapFailure(`value_usd: ${a.reason} ${showValue(v.text)} in ${v.from}`);
  return centsText(a.cents);
}

/** The 15 CSV fields of a record (DOMAIN.md §1 order), or a MapFailure naming the field and property. */
function rowFields(r: CrmRecord, m: ObjectMapping, type: RecordType, lookups: CrmLookups): string[] {
  const v = (f: FunnelField) => evaluate(m.fields[f], r, lookups, f);
  const text = (f: FunnelField) => v(f).text.trim();
  const row: Record<(typeof HEADER)[number], string> = {
    id: `${m.idPrefix}${r.id}`,
    type,
    name: text('name'),
    email: text('email'),
    domain: normalizeDomain(text('domain')),
    company: text('company'),
    source: text('source'),
    region: text('region'),
    owner: text('owner'),
    stage: stageText(v('stage'), m),
    created_at: instant(v('created_at'), 'created_at', true),
    last_touch_at: instant(v('last_touch_at'), 'last_touch_at', false),
    next_step: text('next_step'),
    value_usd: amount(v('value_usd')),
    notes: text('notes'),
  };
  return [
    row.id,
    row.type,
    row.name,
    row.email,
    row.domain,
    row.company,
    row.source,
    row.region,
    row.owner,
    row.stage,
    row.created_at,
    row.last_touch_at,
    row.next_step,
    row.value_usd,
    row.notes,
  ];
}

export function mapCrmRecord(
  r: CrmRecord,
  m: ObjectMapping,
  type: RecordType,
  lookups: CrmLookups,
  hashEmail: (email: string) => string,
): MapResult {
  let fields: string[];
  try {
    fields = rowFields(r, m, type, lookups);
  } catch (e) {
    if (e instanceof MapFailure) return { ok: false, reason: e.message };
    throw e;
  }
  return parseRow(fields, hashEmail);
}
