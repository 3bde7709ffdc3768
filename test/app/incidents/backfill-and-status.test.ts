import { beforeEach, describe, expect, it } from 'vitest';
import { acknowledge } from '../../../src/app/incidents/acknowledge.ts';
import { resolveIncident } from '../../../src/app/incidents/resolve.ts';
import { runIncidentScan } from '../../../src/app/incidents/revenue-scan.ts';
import { getStatus, type StatusDeps } from '../../../src/app/incidents/status.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { backends } from '../../support/db.ts';
import { burning, clean, slackCtx, systemCtx, useIncidentWorld, type World } from './setup.ts';

const HOUR_MS = 60 * MINUTE_MS;

const statusDeps = (w: World): StatusDeps => ({
  store: w.repos.incidents,
  clock: w.clock,
  recovered: async () => 0,
  latestScanFigures: () => w.repos.scans.latestFigures(),
});

describe.each(backends)('backfills and the status paging on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('a backfill leaves the open incident as it is, and says which one is open now', async () => {
    await w.load(burning());
    const declared = (await w.scan()).incident.incident!;
    await acknowledge(w.deps, slackCtx('UON1'), declared.id);
    await w.load(clean());

    // As of an hour before the newest scan, with nothing leaking then: totals stored, findings unchanged.
    const back = await runIncidentScan(w.scanDeps, w.deps, systemCtx, { asOfMs: w.clock.now() - HOUR_MS });
    expect(back.delta.reconciled).toBe(false);
    expect(back.incident.action).toBe('none');
    expect(back.incident.incident).toMatchObject({ id: declared.id, state: 'acknowledged', severity: 1 });
    expect((await w.repos.incidents.get(declared.id))?.state).toBe('acknowledged');
  });

  it('a backfill with no incident open says none is', async () => {
    await w.load(clean());
    await w.scan();
    const back = await runIncidentScan(w.scanDeps, w.deps, systemCtx, { asOfMs: w.clock.now() - HOUR_MS });
    expect(back.incident).toEqual({ action: 'none', incident: null });
  });

  it('the status never reads all clear after a hand resolve while the budget still burns', async () => {
    await w.load(burning());
    const declared = (await w.scan()).incident.incident!;
    expect((await getStatus(statusDeps(w))).budgetPaging).toEqual({ kind: 'paging', paging: 'PAGE' });

    w.clock.advance(MINUTE_MS);
    await resolveIncident(w.deps, slackCtx('UON2'), declared.id);
    const afterResolve = await getStatus(statusDeps(w));
    expect(afterResolve.open).toEqual([]);
    expect(afterResolve.budgetPaging).toEqual({
      kind: 'still_burning',
      paging: 'PAGE',
      resolvedByHand: true,
    });

    // A clean scan later: all clear for real.
    await w.load(clean());
    w.clock.advance(MINUTE_MS);
    await w.scan();
    expect((await getStatus(statusDeps(w))).budgetPaging).toEqual({ kind: 'all_clear' });
  });
});
