/**
 * What the RevOps use cases need (issue 14): the imports' upserts and the aggregate reads. Implemented on
 * Postgres by adapters/db/revops-*.ts (COPY/unnest writes, GROUP BY reads) and by in-memory fakes in tests.
 */
import type {
  MarketingAggregates,
  PipelineAggregates,
  RevenueAggregates,
} from '../../domain/revops/aggregates.ts';
import type { RevopsKind } from '../../domain/revops/csv-kinds.ts';
import type { Customer, Deal, MrrMonth, RevopsFilter, SpendRow } from '../../domain/revops/types.ts';
import type { ImportRunResult, ImportRunStart } from '../records/ports.ts';

/** Thresholds of the stuck-deal list (DOMAIN.md §9 defaults: 45 days, $50,000; configurable). */
export interface StuckRule {
  minDays: number;
  minCents: number;
  /** At most this many deals are listed; the total covers all of them. */
  limit: number;
}

/** The RevOps tables' upserts, batch by batch. */
export interface RevopsBatchWrites {
  /** Upsert by deal_id; returns rows written. */
  upsertDeals(rows: readonly Deal[]): Promise<number>;
  /** Upsert by customer_id. */
  upsertCustomers(rows: readonly Customer[]): Promise<number>;
  /** Upsert by (customer_id, month); rows whose customer is unknown are returned, not written. */
  upsertMrrHistory(rows: readonly MrrMonth[]): Promise<{ written: number; unknownCustomers: string[] }>;
  /** Upsert by (day, channel, campaign, segment, geo). */
  upsertSpend(rows: readonly SpendRow[]): Promise<number>;
}

/**
 * One import's writes applied all at once (issue 17, as the funnel's RecordImport): nothing written
 * through `writes` is visible to another reader until commit(), which records the run's result in the
 * same transaction; abort(), or the process dying, discards it all and the run is `failed`.
 */
export interface RevopsImport {
  readonly runId: string;
  writes: RevopsBatchWrites;
  commit(result: ImportRunResult): Promise<void>;
  abort(result: ImportRunResult): Promise<void>;
}

export interface RevopsWrites extends RevopsBatchWrites {
  /**
   * Starts an import applied all at once and records its run as `running`, leased to this process;
   * refuses with AppError CONFLICT while another import holds the import lock. Optional: in-memory
   * writes of the use-case tests have none (written batch by batch).
   */
  beginImport?(run: ImportRunStart): Promise<RevopsImport>;
  /**
   * Refreshes the planner's statistics of the table `kind` is written to, after a bulk load: without them
   * the reads plan for an empty table, and autovacuum (which would collect them later) may be off.
   */
  analyze(kind: RevopsKind): Promise<void>;
}

export interface RevopsReads {
  /** Pipeline state as of f.toMs and its flows in [f.fromMs, f.toMs). */
  pipeline(f: RevopsFilter, stuck: StuckRule): Promise<PipelineAggregates>;
  /** The MRR roll-forward over the months overlapping the period, retention, churn reasons, cohorts. */
  revenue(f: RevopsFilter): Promise<RevenueAggregates>;
  marketing(f: RevopsFilter): Promise<MarketingAggregates>;
}
