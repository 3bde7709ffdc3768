import { beforeEach, describe, expect, it } from 'vitest';
import { applyVerdict, type IncidentReading, inIncidentTx } from '../../../src/app/incidents/transitions.ts';
import { DEFAULT_BUDGET_POLICY, type IncidentSeverity } from '../../../src/domain/budget/budget.ts';
import {
  figuresOf,
  type IncidentFigures,
  type IncidentVerdict,
} from '../../../src/domain/incidents/incident.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { summarize } from '../../../src/domain/scan/summarize.ts';
import { NOW } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import { burning, kinds, systemCtx, useIncidentWorld, type World } from './setup.ts';

/**
 * A source other than the revenue scan and SLA burns (issue 12 brings a commerce revenue dip) uses the
 * same transitions with its own dedupe key, figures and wording: nothing of the declare/update/resolve
 * machinery is copied. This stand-in source reuses revenue-shaped figures.
 */
const KEY = 'test-dip:acme';

const figures = (severity: IncidentSeverity): IncidentFigures => {
  const f = figuresOf('dip-1', summarize(burning(), NOW, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY));
  return { ...f, severity, paging: severity <= 3 ? 'PAGE' : 'WARN' };
};

const reading = (f: IncidentFigures): IncidentReading<IncidentFigures> => ({
  dedupeKey: KEY,
  title: 'Revenue dip: Acme store',
  next: { severity: f.severity, paging: f.paging, figures: f },
  repage: 'rise_from_ok',
  resolve: { next: { figures: f }, reason: () => 'the dip recovered' },
  data: { declared: () => ({ source: 'dip' }), reopened: {}, updated: { source: 'dip' } },
});

describe.each(backends)('a third incident source on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  /** What the source does each time it measures: lock its key, judge, apply. */
  const measure = (decide: (open: { id: string } | null) => IncidentVerdict, f: IncidentFigures) =>
    inIncidentTx(w.deps, systemCtx, async (s) => {
      await s.tx.lockKey(KEY);
      const open = await s.tx.findOpen(KEY);
      return applyVerdict(s, decide(open), open, reading(f));
    });

  it('declares, worsens and resolves its own incident beside the revenue one', async () => {
    await w.load(burning());
    const revenue = await w.scan();
    expect(revenue.incident.action).toBe('declared');

    const declared = await measure(() => ({ action: 'declare' }), figures(3));
    expect(declared).toMatchObject({
      action: 'declared',
      incident: {
        dedupeKey: KEY,
        title: 'Revenue dip: Acme store',
        severity: 3,
        paging: 'PAGE',
        pagesSent: 1,
      },
    });
    const id = declared.incident!.id;
    expect(id).not.toBe(revenue.incident.incident!.id);

    const worse = await measure(
      (open) => ({ action: 'update', incidentId: open!.id, severityFrom: 3 }),
      figures(1),
    );
    expect(worse).toMatchObject({ action: 'updated', incident: { id, severity: 1, pagesSent: 1 } });

    const resolved = await measure((open) => ({ action: 'resolve', incidentId: open!.id }), figures(5));
    expect(resolved).toMatchObject({ action: 'resolved', incident: { id, state: 'resolved' } });
    expect(await kinds(w, id)).toEqual(['DETECTED', 'PAGED', 'SEVERITY_CHANGED', 'PAGED', 'RESOLVED']);
    const dip = await w.db.query<{ data: { reason?: string; source?: string } }>(
      "SELECT data FROM incident_events WHERE incident_id = $1 AND kind IN ('DETECTED', 'RESOLVED') ORDER BY id",
      [id],
    );
    expect(dip.map((e) => e.data.source ?? e.data.reason)).toEqual(['dip', 'the dip recovered']);
    // The revenue incident was left alone.
    expect((await w.repos.incidents.get(revenue.incident.incident!.id))?.state).toBe('detected');
  });
});
