import { CrmError } from '../../app/crm/ports.ts';
import type { CrmWriter } from '../../app/crm/write-ports.ts';
import type { ObjectMapping } from '../../domain/crm/mapping.ts';
import type { EditableField } from '../../domain/fixpacks/dsl.ts';
import type { CrmValues, WriteBatch } from '../../domain/fixpacks/writeback.ts';

/*
 * What every CRM writer (hubspot/write.ts, salesforce/write.ts) does the same way: route a funnel record id
 * to its CRM object by the mapping's id prefix, keep the owner and stage lookups for a few minutes, read the
 * current values of the planned fields (grouped by object, translated to funnel terms), and present it all
 * as the CrmWriter port. What differs, the vendor's calls and its value translation, is passed in.
 */

/** Owners and stages are re-read after this long (a rep added, a stage renamed). */
const LOOKUP_TTL_MS = 5 * 60_000;

/** The owner and stage lookups, loaded once and kept for LOOKUP_TTL_MS; a failed load is retried next time. */
export function cachedLookups<L extends { atMs: number }>(
  load: () => Promise<L>,
  now: () => number,
): () => Promise<L> {
  let cached: Promise<L> | undefined;
  return async () => {
    const l = cached ? await cached.catch(() => null) : null;
    if (l !== null && now() - l.atMs < LOOKUP_TTL_MS) return l;
    cached = load();
    return cached;
  };
}

/** A vendor's objects with their mappings, and the record ids that belong to them. */
export class CrmObjects<O extends string> {
  readonly #objects: Record<O, ObjectMapping>;
  readonly #accepts: (crmId: string) => boolean;

  /**
   * `accepts` says whether the rest of a record id after an object's prefix can be one of the CRM's ids. A
   * mapping without a prefix never matches: such ids are indistinguishable from imported ones, never written.
   */
  constructor(objects: Record<O, ObjectMapping>, accepts: (crmId: string) => boolean) {
    this.#objects = objects;
    this.#accepts = accepts;
  }

  mapping(object: O): ObjectMapping {
    return this.#objects[object];
  }

  has(object: string): object is O {
    return Object.hasOwn(this.#objects, object);
  }

  /** The object a funnel record id belongs to, or null when it is not this CRM's. */
  objectOf(recordId: string): O | null {
    for (const o of Object.keys(this.#objects) as O[]) {
      const prefix = this.#objects[o].idPrefix;
      if (prefix !== '' && recordId.startsWith(prefix) && this.#accepts(recordId.slice(prefix.length)))
        return o;
    }
    return null;
  }

  /** The CRM's own id of a record objectOf placed. */
  crmId(recordId: string): string {
    return recordId.slice(this.#objects[this.objectOf(recordId)!].idPrefix.length);
  }

  /** A record id for the CRM's id of a record of `object`. */
  recordId(object: O, crmId: string): string {
    return `${this.#objects[object].idPrefix}${crmId}`;
  }
}

type Row = Record<string, string | null>;

/** How a vendor reads: its target for a field (or why there is none) and how it fetches and translates. */
export interface FieldReader<O extends string, T, L> {
  objects: CrmObjects<O>;
  lookups(): Promise<L>;
  targetOf(m: ObjectMapping, object: O, field: EditableField): T | string;
  /** The vendor's property or field name a target is read from. */
  column(t: T): string;
  /** The rows of these CRM ids (at most what exists), with these columns. */
  fetch(object: O, crmIds: readonly string[], columns: readonly string[]): Promise<Map<string, Row>>;
  /** The fetched row of a CRM id: by default the map's own key. */
  rowOf?(got: Map<string, Row>, crmId: string): Row | undefined;
  funnelValue(l: L, m: ObjectMapping, t: T, raw: string): string;
}

/** CrmWriter.read: the current values of these fields, one fetch per object; records the CRM lacks are absent. */
export async function readFields<O extends string, T, L>(
  r: FieldReader<O, T, L>,
  fields: ReadonlyMap<string, readonly EditableField[]>,
): Promise<CrmValues> {
  const out = new Map<string, Partial<Record<EditableField, string>>>();
  const byObject = new Map<O, [string, readonly EditableField[]][]>();
  for (const [recordId, fs] of fields) {
    const o = r.objects.objectOf(recordId);
    if (o !== null) byObject.set(o, [...(byObject.get(o) ?? []), [recordId, fs]]);
  }
  if (byObject.size === 0) return out;
  const l = await r.lookups();
  for (const [object, entries] of byObject) {
    const m = r.objects.mapping(object);
    const targets = new Map<EditableField, T>();
    for (const f of entries.flatMap(([, fs]) => fs)) {
      const t = r.targetOf(m, object, f);
      if (typeof t !== 'string') targets.set(f, t);
    }
    const columns = [...new Set([...targets.values()].map(r.column))].sort();
    const got = await r.fetch(
      object,
      entries.map(([id]) => r.objects.crmId(id)),
      columns,
    );
    for (const [recordId, fs] of entries) {
      const crmId = r.objects.crmId(recordId);
      const row = r.rowOf ? r.rowOf(got, crmId) : got.get(crmId);
      if (row === undefined) continue;
      const values: Partial<Record<EditableField, string>> = {};
      for (const f of fs) {
        const t = targets.get(f);
        if (t) values[f] = r.funnelValue(l, m, t, (row[r.column(t)] ?? '').trim());
      }
      out.set(recordId, values);
    }
  }
  return out;
}

/** The CrmWriter port over a vendor's reader and its per-object write. */
export function crmWriter<O extends string, T, L>(w: {
  name: string;
  label: string;
  batchSize: number;
  reader: FieldReader<O, T, L>;
  /** Sends one batch of records of `object` (known to be one of this CRM's objects). */
  write(object: O, batch: WriteBatch): ReturnType<CrmWriter['write']>;
}): CrmWriter {
  const { objects, targetOf } = w.reader;
  return {
    name: w.name,
    label: w.label,
    batchSize: w.batchSize,
    owns: (recordId) => objects.objectOf(recordId) !== null,
    objectOf: (recordId) => objects.objectOf(recordId) ?? 'none',
    unwritable(recordId, field) {
      const o = objects.objectOf(recordId);
      if (o === null) return `not a ${w.label} record`;
      const t = targetOf(objects.mapping(o), o, field);
      return typeof t === 'string' ? t : null;
    },
    read: (fields) => readFields(w.reader, fields),
    async write(batch) {
      const object = batch.object;
      if (!objects.has(object)) throw new CrmError('config', `${w.label} cannot write '${object}' records`);
      return w.write(object, batch);
    },
  };
}
