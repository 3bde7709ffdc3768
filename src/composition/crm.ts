/**
 * CRM connectors' use cases (issue 16), wired over opened Services: the HubSpot connector over the field
 * mapping (CRM_MAPPING_FILE or the defaults), the sync's store, the records repository the CSV import
 * writes to, the deployment's email hash, and the admin alerts' channel. Null without HUBSPOT_TOKEN:
 * nothing syncs and every other command works as before. composition/use-cases.ts adds them as `uc.crm`.
 */

import { hubspotConnector } from '../adapters/crm/hubspot/connector.ts';
import { loadMappingFile } from '../adapters/crm/mapping-file.ts';
import { crmSyncStore } from '../adapters/db/crm-repository.ts';
import type { Ctx } from '../app/context.ts';
import type { CrmConnector } from '../app/crm/ports.ts';
import { crmStatus } from '../app/crm/status.ts';
import { DEFAULT_SYNC_SETTINGS, runCrmSync, type SyncOptions, type SyncOutcome } from '../app/crm/sync.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../shared/errors.ts';
import { piiHasher } from '../shared/pii.ts';
import { piiKeyOf, type Services } from './services.ts';

/**
 * What is wrong with the CRM configuration (the mapping file's problems, each with its line), checked by
 * the server before it opens a socket (config fails fast) and by `leak crm` before it calls HubSpot.
 */
export function crmConfigProblems(config: Config): string[] {
  if (config.crm.hubspot === null) return [];
  const m = loadMappingFile(config.crm.mappingFile);
  return m.ok ? [] : m.problems;
}

function connectorFor(config: Config): CrmConnector {
  const hubspot = config.crm.hubspot!;
  const m = loadMappingFile(config.crm.mappingFile);
  if (!m.ok)
    throw new AppError(
      'VALIDATION',
      `the CRM mapping file is not valid:\n${m.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  return hubspotConnector(m.mapping.hubspot, { token: hubspot.token, baseUrl: hubspot.apiUrl });
}

export function crmUseCases(services: Services, config: Config, onEnqueued?: () => void) {
  if (config.crm.hubspot === null) return null;
  // Made at first use: the mapping file is read then (a CLI command that never syncs never reads it), and
  // the PII key exists only once the database is migrated.
  let made: { connector: CrmConnector; hash: (email: string) => string } | undefined;
  const parts = () => {
    made ??= { connector: connectorFor(config), hash: piiHasher(piiKeyOf(services)) };
    return made;
  };
  const store = crmSyncStore(services.db);
  const sync = (ctx: Ctx, opts: SyncOptions): Promise<SyncOutcome> => {
    const { connector, hash } = parts();
    return runCrmSync(
      {
        connector,
        store,
        records: services.repos.records,
        clock: services.clock,
        hashEmail: hash,
        settings: {
          ...DEFAULT_SYNC_SETTINGS,
          dailyShare: config.crm.dailyShare,
          alertChannel: config.telemetry.adminChannel,
        },
        ...(onEnqueued ? { onEnqueued } : {}),
      },
      ctx,
      opts,
    );
  };
  return {
    label: 'HubSpot',
    /** `leak crm sync [--full]`. */
    sync,
    /**
     * The scheduled scan's sync first (jobs.ts): bounded by CRM_SYNC_MAX_MINUTES and resumed by the next
     * one, and never in the scan's way: whatever happens, the scan runs on the records there are.
     */
    async syncBeforeScan(ctx: Ctx): Promise<void> {
      try {
        await sync(ctx, { full: false, maxDurationMs: config.crm.scheduledMaxMs });
      } catch (err) {
        ctx.log.error({ err }, 'crm sync before the scan failed; the scan reads the records as they are');
      }
    },
    /** `leak crm status` and the App Home's CRM line. */
    status: () => crmStatus({ connector: parts().connector, store, dailyShare: config.crm.dailyShare }),
    rejections: (runId: string, limit: number) => store.rejections(runId, limit),
  };
}

export type CrmUseCases = NonNullable<ReturnType<typeof crmUseCases>>;
