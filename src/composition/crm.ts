/**
 * CRM connectors' use cases (issue 16), wired over opened Services: the HubSpot connector over the field
 * mapping (CRM_MAPPING_FILE or the defaults), the sync's store, the records repository the CSV import
 * writes to, the deployment's email hash, and the admin alerts' channel. HubSpot (HUBSPOT_TOKEN) and
 * Salesforce (SALESFORCE_CLIENT_ID) are each a connector of their own name, with their own slot and
 * cursors. Null with neither: nothing syncs and every other command works as before.
 * composition/use-cases.ts adds them as `uc.crm`.
 */

import { hubspotConnector } from '../adapters/crm/hubspot/connector.ts';
import { hubspotWriter } from '../adapters/crm/hubspot/write.ts';
import { loadMappingFile } from '../adapters/crm/mapping-file.ts';
import { loadPrivateKey, type SalesforceCredentials } from '../adapters/crm/salesforce/auth.ts';
import { salesforceConnector } from '../adapters/crm/salesforce/connector.ts';
import { salesforceWriter } from '../adapters/crm/salesforce/write.ts';
import { crmSyncStore } from '../adapters/db/crm-repository.ts';
import type { Ctx } from '../app/context.ts';
import type { CrmConnector } from '../app/crm/ports.ts';
import { routingWriter } from '../app/crm/routing-writer.ts';
import { crmStatus } from '../app/crm/status.ts';
import { DEFAULT_SYNC_SETTINGS, runCrmSync, type SyncOptions, type SyncOutcome } from '../app/crm/sync.ts';
import type { CrmWriter } from '../app/crm/write-ports.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../shared/errors.ts';
import { piiHasher } from '../shared/pii.ts';
import { piiKeyOf, type Services } from './services.ts';

/**
 * What is wrong with the CRM configuration (the mapping file's problems, each with its line), checked by
 * the server before it opens a socket (config fails fast) and by `leak crm` before it calls HubSpot.
 */
export function crmConfigProblems(config: Config): string[] {
  if (configuredCrms(config).length === 0) return [];
  const m = loadMappingFile(config.crm.mappingFile);
  const problems = m.ok ? [] : [...m.problems];
  // The JWT key is read and parsed here, so a wrong path or a certificate given for the key says so at
  // start rather than at the first sync.
  const sf = config.crm.salesforce;
  if (sf?.auth.kind === 'jwt') {
    const key = loadPrivateKey(sf.auth.keyFile);
    if ('problem' in key) problems.push(key.problem);
  }
  return problems;
}

/** The CRMs configured, in the order they sync; each keeps its own sync slot and cursors by its name. */
export function configuredCrms(config: Config): Array<{ name: string; label: string }> {
  return [
    ...(config.crm.hubspot ? [{ name: 'hubspot', label: 'HubSpot' }] : []),
    ...(config.crm.salesforce ? [{ name: 'salesforce', label: 'Salesforce' }] : []),
  ];
}

function salesforceCredentials(sf: NonNullable<Config['crm']['salesforce']>): SalesforceCredentials {
  if (sf.auth.kind === 'refresh')
    return {
      kind: 'refresh',
      clientId: sf.clientId,
      clientSecret: sf.auth.clientSecret,
      refreshToken: sf.auth.refreshToken,
    };
  const key = loadPrivateKey(sf.auth.keyFile);
  if ('problem' in key) throw new AppError('VALIDATION', key.problem);
  return { kind: 'jwt', clientId: sf.clientId, username: sf.auth.username, privateKey: key };
}

/** What the Salesforce connector and writer both connect with. */
const salesforceHttp = (sf: NonNullable<Config['crm']['salesforce']>) => ({
  loginUrl: sf.loginUrl,
  instanceUrl: sf.instanceUrl,
  apiVersion: sf.apiVersion,
  credentials: salesforceCredentials(sf),
});

/** What the HubSpot connector and writer both connect with. */
const hubspotHttp = (hubspot: NonNullable<Config['crm']['hubspot']>) => ({
  token: hubspot.token,
  baseUrl: hubspot.apiUrl,
});

function connectorFor(config: Config, name: string): CrmConnector {
  const mapping = mappingOf(config);
  const sf = config.crm.salesforce;
  if (name === 'salesforce' && sf !== null)
    return salesforceConnector(mapping.salesforce, {
      ...salesforceHttp(sf),
      bulkThreshold: sf.bulkThreshold,
    });
  return hubspotConnector(mapping.hubspot, hubspotHttp(config.crm.hubspot!));
}

/** A writer made at first use: a command that never approves a fix never reads the mapping file. */
function lazyWriter(name: string, label: string, make: () => CrmWriter): CrmWriter {
  let made: CrmWriter | undefined;
  const w = (): CrmWriter => {
    made ??= make();
    return made;
  };
  return {
    name,
    label,
    get batchSize() {
      return w().batchSize;
    },
    owns: (id) => w().owns(id),
    objectOf: (id) => w().objectOf(id),
    unwritable: (id, field) => w().unwritable(id, field),
    read: (fields) => w().read(fields),
    write: (batch) => w().write(batch),
  };
}

function mappingOf(config: Config) {
  const m = loadMappingFile(config.crm.mappingFile);
  if (!m.ok)
    throw new AppError(
      'VALIDATION',
      `the CRM mapping file is not valid:\n${m.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  return m.mapping;
}

/**
 * The CRM approved fixes are written back to (issue 16), or null with no CRM configured: HubSpot's or
 * Salesforce's writer, or with both a routing writer sending each record to the CRM it came from.
 */
export function crmWriterFor(config: Config): CrmWriter | null {
  const { hubspot, salesforce: sf } = config.crm;
  const writers: CrmWriter[] = [];
  if (hubspot !== null)
    writers.push(
      lazyWriter('hubspot', 'HubSpot', () => hubspotWriter(mappingOf(config).hubspot, hubspotHttp(hubspot))),
    );
  if (sf !== null)
    writers.push(
      lazyWriter('salesforce', 'Salesforce', () =>
        salesforceWriter(mappingOf(config).salesforce, salesforceHttp(sf)),
      ),
    );
  if (writers.length === 0) return null;
  return writers.length === 1 ? writers[0]! : routingWriter(writers);
}

export function crmUseCases(services: Services, config: Config, onEnqueued?: () => void) {
  const crms = configuredCrms(config);
  if (crms.length === 0) return null;
  // Made at first use: the mapping file is read then (a CLI command that never syncs never reads it), and
  // the PII key exists only once the database is migrated.
  const connectors = new Map<string, CrmConnector>();
  let hash: ((email: string) => string) | undefined;
  const connector = (name: string): CrmConnector => {
    const known = connectors.get(name);
    if (known !== undefined) return known;
    const c = connectorFor(config, name);
    connectors.set(name, c);
    return c;
  };
  /** A configured CRM by name; the first one when none is named. */
  const pick = (name: string | undefined): string => {
    const n = name ?? crms[0]!.name;
    if (!crms.some((c) => c.name === n))
      throw new AppError(
        'VALIDATION',
        `no CRM named '${n}' is connected (connected: ${crms.map((c) => c.name).join(', ')})`,
      );
    return n;
  };
  const store = crmSyncStore(services.db);
  const sync = (ctx: Ctx, opts: SyncOptions & { connector?: string }): Promise<SyncOutcome> => {
    const c = connector(pick(opts.connector));
    hash ??= piiHasher(piiKeyOf(services));
    return runCrmSync(
      {
        connector: c,
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
    /** The first configured CRM's label. */
    label: crms[0]!.label,
    /** Every configured CRM (`hubspot`, `salesforce`): `leak crm --connector` picks one. */
    connectors: crms,
    /** `leak crm sync [--full] [--connector name]`: the first configured CRM unless one is named. */
    sync,
    /**
     * The scheduled scan's sync first (jobs.ts), each CRM in turn: together bounded by CRM_SYNC_MAX_MINUTES
     * and resumed by the next one, and never in the scan's way: whatever happens, the scan runs on the
     * records there are.
     */
    async syncBeforeScan(ctx: Ctx): Promise<void> {
      // One time budget for all of them: a second CRM gets what the first left (at least a page).
      const deadlineMs = services.clock.now() + config.crm.scheduledMaxMs;
      for (const c of crms)
        try {
          const maxDurationMs = Math.max(1, deadlineMs - services.clock.now());
          await sync(ctx, { full: false, maxDurationMs, connector: c.name });
        } catch (err) {
          ctx.log.error(
            { err, connector: c.name },
            'crm sync before the scan failed; the scan reads the records as they are',
          );
        }
    },
    /** `leak crm status` (the first configured CRM unless one is named); the App Home reads each. */
    status: (name?: string) =>
      crmStatus({ connector: connector(pick(name)), store, dailyShare: config.crm.dailyShare }),
    rejections: (runId: string, limit: number) => store.rejections(runId, limit),
  };
}

export type CrmUseCases = NonNullable<ReturnType<typeof crmUseCases>>;
