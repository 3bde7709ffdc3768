/**
 * RevopsReads on Postgres (issue 14): every figure is aggregated by the database (GROUP BY and FILTER
 * over the imported tables), so a report over a million deals moves a few hundred rows to the process.
 * Runs unchanged on postgres.js and PGlite (client.ts Sql). The semantics of each read are documented
 * where it is computed: revops-pipeline-sql.ts (as-of reconstruction, flows, stuck deals),
 * revops-source-sql.ts (the funnel fallback), revops-revenue-sql.ts (MRR roll-forward, retention,
 * cohorts; batched by revops-revenue-batch.ts), revops-marketing-sql.ts (channels, segments).
 */
import type { RevopsReads } from '../../app/revops/ports.ts';
import type { Db } from './client.ts';
import { batchedMarketing } from './revops-marketing-sql.ts';
import { batchedPipeline } from './revops-pipeline-sql.ts';
import { batchedRevenue } from './revops-revenue-batch.ts';

export function revopsReads(db: Db): RevopsReads {
  return {
    // Calls of one tick with the same slices share their statements (the report's current and previous
    // period): see revops-batch.ts.
    pipeline: batchedPipeline(db),
    revenue: batchedRevenue(db),
    marketing: batchedMarketing(db),
  };
}
