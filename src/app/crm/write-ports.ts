import type { EditableField } from '../../domain/fixpacks/dsl.ts';
import type {
  CrmValues,
  Drift,
  Refusal,
  WriteBatch,
  WriteOp,
  WriteTarget,
} from '../../domain/fixpacks/writeback.ts';
import type { NewJob } from '../outbox/ports.ts';

/**
 * The CRM write-back port (issue 16): what writing an approved fix back to the CRM needs of a connector,
 * vendor-neutral (HubSpot is adapters/crm/hubspot/write.ts, Salesforce adapters/crm/salesforce/write.ts,
 * both at once app/crm/routing-writer.ts). Values are in funnel terms (an owner's name, a stage's label);
 * the connector translates them to its own ids.
 */
export interface CrmWriter extends WriteTarget {
  /** Stored key: `hubspot`. */
  readonly name: string;
  /** For people: `HubSpot`. */
  readonly label: string;
  /** The current values (funnel terms) of these fields of these records; records the CRM lacks are absent. */
  read(fields: ReadonlyMap<string, readonly EditableField[]>): Promise<CrmValues>;
  /**
   * Sends one batch (one call, or a few when the CRM splits it). Answers the records (or fields) the CRM
   * refused, the rest being written. Throws CrmError when the CRM could not be reached or refused the
   * whole call (a revoked token, a missing scope).
   */
  write(batch: WriteBatch): Promise<{ refused: Refusal[] }>;
}

export type WritePurpose = 'apply' | 'revert';
export type BatchStatus = 'pending' | 'written' | 'partial' | 'failed';

/** A batch as stored with the fix run (migrations/0015_crm_writeback.sql). */
export interface StoredBatch {
  purpose: WritePurpose;
  batchNo: number;
  connector: string;
  op: WriteOp;
  object: string;
  status: BatchStatus;
  items: WriteBatch['items'];
  refused: Refusal[];
  skipped: Drift[];
  error: string | null;
}

export interface BatchOutcome {
  status: Exclude<BatchStatus, 'pending'>;
  refused: Refusal[];
  error: string | null;
}

export interface CrmWriteStore {
  batches(runId: string, purpose: WritePurpose): Promise<StoredBatch[]>;
  /**
   * Stores a batch's outcome, only while it is pending (false: it already has one), and re-arms the fix's
   * preview message in the same transaction so it shows the outcome.
   */
  settle(
    runId: string,
    purpose: WritePurpose,
    batchNo: number,
    outcome: BatchOutcome,
    rerender: NewJob<'fix.message'>,
  ): Promise<boolean>;
  /** The rollback's batches (pending) and the fields it leaves alone, once; false when already stored. */
  addRevert(
    runId: string,
    connector: string,
    batches: readonly WriteBatch[],
    skipped: readonly Drift[],
  ): Promise<boolean>;
}
