import { beforeEach } from 'vitest';
import type { FixDeps } from '../../../src/app/fixes/deps.ts';
import { previewFix } from '../../../src/app/fixes/preview.ts';
import { parseFixPack } from '../../../src/domain/fixpacks/parse.ts';
import { planFix } from '../../../src/domain/fixpacks/plan.ts';
import { DEFAULT_APPROVAL_POLICY, type FixRun } from '../../../src/domain/fixpacks/run.ts';
import type { Plan } from '../../../src/domain/fixpacks/types.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { buildOpp, buildRecord, minutesAgo } from '../../domain/build.ts';
import type { Backend } from '../../support/db.ts';
import { slackCtx, useIncidentWorld, type World } from '../incidents/setup.ts';

export { slackCtx };

export const REQUESTER = 'slack:T1:UREQ';

export function fixDeps(w: World, approval: Partial<FixDeps['approval']> = {}): FixDeps {
  return {
    fixes: w.repos.fixes,
    incident: w.deps,
    approval: {
      ...DEFAULT_APPROVAL_POLICY,
      approverUsers: ['UAPPROVER'],
      approverGroup: 'SAPPROVERS',
      ...approval,
    },
    settings: {
      ownerPool: ['Priya Shah', 'Marcus Lee'],
      regionPools: {},
      ownerSlack: { 'Priya Shah': 'UPRIYA' },
      managerChannel: 'CMGR',
    },
    thresholds: DEFAULT_THRESHOLDS,
    directory: { isGroupMember: async (g, u) => g === 'SAPPROVERS' && u === 'UGROUPIE' },
  };
}

/**
 * One migrated database per backend suite, reset before each test. The round-robin counter is restarted
 * too, so the first assignment of every test goes to the first owner of the pool ('Priya Shah').
 */
export function useWorld(backend: Backend): { w: World; deps: FixDeps } {
  const world = useIncidentWorld(backend);
  const ref = {} as { w: World; deps: FixDeps };
  beforeEach(async () => {
    ref.w = world.w;
    await ref.w.db.exec('ALTER SEQUENCE fix_round_robin RESTART');
    ref.deps = fixDeps(ref.w);
  });
  return ref;
}

/** $200,000 unowned opportunity (SEV-1, PAGE) beside a clean lead. */
export const unownedOpp = (): FunnelRecord[] => [
  buildOpp({ id: 'big', owner: '', valueCents: 20_000_000 }),
  buildRecord({ id: 'ok' }),
];

/** A $100,000 lead untouched for 90 minutes with no owner: SLA_BREACH_UNTOUCHED and UNASSIGNED_OWNER. */
export const breachedLead = (): FunnelRecord[] => [
  buildRecord({
    id: 'lead',
    owner: '',
    lastTouchAtMs: null,
    createdAtMs: minutesAgo(90),
    valueCents: 10_000_000,
  }),
];

/** Loads the records and scans them, so their findings are open (and the incident declared). */
export async function seed(w: World, records: FunnelRecord[]): Promise<string | null> {
  await w.load(records);
  const out = await w.scan();
  return out.incident.incident?.id ?? null;
}

export const previewIssue = (deps: FixDeps, issueId: string, user = 'UREQ'): Promise<FixRun> =>
  previewFix(deps, slackCtx(user), { kind: 'issue', issueId });

/** A record as the database holds it now. */
export async function recordOf(w: World, id: string): Promise<FunnelRecord> {
  const [r] = (await w.repos.fixes.loadScope([id])).filter((x) => x.id === id);
  if (!r) throw new Error(`no record ${id}`);
  return r;
}

export const count = async (w: World, table: string): Promise<number> =>
  (await w.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

export const auditActions = async (w: World): Promise<string[]> =>
  (await w.db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY id')).map((r) => r.action);

export const jobsOf = (w: World, kind: string) =>
  w.db.query<{ key: string; payload: Record<string, unknown> }>(
    'SELECT key, payload FROM jobs WHERE kind = $1 ORDER BY id',
    [kind],
  );

/** The incident's timeline, oldest first. */
export const timeline = (w: World, incidentId: string) => w.repos.incidents.timeline(incidentId, 200);

export const kindsOf = async (w: World, incidentId: string): Promise<string[]> =>
  (await timeline(w, incidentId)).map((e) => e.kind);

/**
 * Plans a custom pack against record 'own' (addressed as a NO_NEXT_STEP issue) and stores it as a preview
 * of `incidentId` requested by UREQ: how the regression-guard tests get a fix that does harm.
 */
export async function insertCustomRun(
  w: World,
  deps: FixDeps,
  incidentId: string,
  pack: unknown,
): Promise<{ run: FixRun; plan: Plan }> {
  const parsed = parseFixPack(pack);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const records = await w.repos.fixes.loadScope(['own']);
  const issue = {
    issueId: 'own_FAKE',
    recordId: 'own',
    issueType: 'NO_NEXT_STEP',
    lossCents: 0,
    teams: [],
  } as const;
  const env = {
    nowMs: w.clock.now(),
    ownerPool: [],
    regionPools: {},
    roundRobinStart: 0,
    ownerSlack: {},
    managerChannel: null,
  };
  const plan = planFix({ pack: parsed.pack, issues: [issue], records }, env);
  const run = await w.repos.fixes.transaction((tx) =>
    tx.insertRun({
      incidentId,
      pack: parsed.pack,
      plan,
      snapshot: records.filter((r) => plan.recordIds.includes(r.id)),
      requestedBy: REQUESTER,
      createdAtMs: w.clock.now(),
      expiresAtMs: w.clock.now() + deps.approval.ttlMs,
    }),
  );
  return { run, plan };
}
