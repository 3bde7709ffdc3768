import { auditLog } from './audit-repository.ts';
import type { Db } from './client.ts';
import { fixStore } from './fix-repository.ts';
import { importRunRepository } from './import-runs-repository.ts';
import { incidentStore } from './incidents-repository.ts';
import { jobQueue } from './jobs-repository.ts';
import { recordRepository } from './records-repository.ts';
import { scanRepository } from './scans-repository.ts';
import { slaRepository } from './sla-repository.ts';
import { tokenStore } from './tokens-repository.ts';

export { getImportRun } from './import-runs-repository.ts';

export function makeRepositories(db: Db) {
  return {
    records: recordRepository(db),
    importRuns: importRunRepository(db),
    scans: scanRepository(db),
    incidents: incidentStore(db),
    jobs: jobQueue(db),
    audit: auditLog(db),
    fixes: fixStore(db),
    tokens: tokenStore(db),
    slas: slaRepository(db),
  };
}
