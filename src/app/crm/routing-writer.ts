import type { EditableField } from '../../domain/fixpacks/dsl.ts';
import type { CrmValues, WriteBatch } from '../../domain/fixpacks/writeback.ts';
import type { CrmWriter } from './write-ports.ts';

/**
 * Write-back with more than one CRM connected (HubSpot and Salesforce): each record goes to the writer
 * that owns it (`hs-…` to HubSpot, `sf-…` to Salesforce). Object groups are named `<writer>:<object>`, so
 * a batch never mixes CRMs and is handed whole to its writer; batches are cut to the smallest writer's
 * limit. Stored batches carry this writer's name (`hubspot+salesforce`).
 */
export function routingWriter(writers: readonly CrmWriter[]): CrmWriter {
  const of = (recordId: string) => writers.find((w) => w.owns(recordId)) ?? null;
  return {
    name: writers.map((w) => w.name).join('+'),
    label: writers.map((w) => w.label).join(' and '),
    get batchSize() {
      return Math.min(...writers.map((w) => w.batchSize));
    },
    owns: (recordId) => of(recordId) !== null,
    objectOf(recordId) {
      const w = of(recordId);
      return w === null ? 'none' : `${w.name}:${w.objectOf(recordId)}`;
    },
    unwritable(recordId, field) {
      const w = of(recordId);
      return w === null ? 'not a CRM record' : w.unwritable(recordId, field);
    },
    async read(fields) {
      const out = new Map<string, Readonly<Partial<Record<EditableField, string>>>>();
      for (const w of writers) {
        const mine = new Map([...fields].filter(([id]) => of(id) === w));
        if (mine.size === 0) continue;
        const got: CrmValues = await w.read(mine);
        for (const [id, v] of got) out.set(id, v);
      }
      return out;
    },
    async write(batch: WriteBatch) {
      const first = batch.items[0];
      const w = first === undefined ? null : of(first.recordId);
      if (w === null) return { refused: [] };
      const object = batch.object.startsWith(`${w.name}:`)
        ? batch.object.slice(w.name.length + 1)
        : batch.object;
      return w.write({ ...batch, object } as WriteBatch);
    },
  };
}
