import { beforeEach, describe, expect, it } from 'vitest';
import { acknowledge } from '../../../src/app/incidents/acknowledge.ts';
import { repeatDuePages } from '../../../src/app/incidents/pager.ts';
import { resolveIncident } from '../../../src/app/incidents/resolve.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { backends } from '../../support/db.ts';
import { burning, clean, kinds, sev3, slackCtx, systemCtx, useIncidentWorld, type World } from './setup.ts';

describe.each(backends)('incident lifecycle on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('declares a SEV-1 incident from a burning scan, pages, and schedules its channel', async () => {
    await w.load(burning());
    const out = await w.scan();
    expect(out.incident.action).toBe('declared');
    const i = out.incident.incident!;
    expect(i).toMatchObject({
      state: 'detected',
      severity: 1,
      paging: 'PAGE',
      commander: 'UCOMMANDER',
      pagesSent: 1,
    });
    expect(i.nextPageAtMs).toBe(w.clock.now() + 15 * MINUTE_MS);
    expect(await kinds(w, i.id)).toEqual(['DETECTED', 'PAGED']);
    const jobs = await w.db.query<{ kind: string }>('SELECT kind FROM jobs ORDER BY id');
    expect(jobs.map((j) => j.kind)).toEqual(['incident.channel', 'incident.page']);
    expect((await w.repos.audit.verify()).rows).toBe(1);
  });

  it('opens one incident when two scans run at once', async () => {
    await w.load(burning());
    const [a, b] = await Promise.all([w.scan(), w.scan()]);
    const actions = [a.incident.action, b.incident.action].sort();
    expect(actions).toEqual(['declared', 'updated']);
    const rows = await w.db.query('SELECT id FROM incidents');
    expect(rows).toHaveLength(1);
  });

  it('refuses a second open incident for a key in the database itself (partial unique index)', async () => {
    await w.load(burning());
    const { incident } = await w.scan();
    await expect(
      w.db.query(
        `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, figures)
         VALUES ('revenue-leak:funnel', 'x', 'acknowledged', 1, 'PAGE', now(), '{}')`,
      ),
    ).rejects.toThrow(/incidents_one_open|duplicate key/);
    expect(incident.incident).not.toBeNull();
  });

  it('writes one ACKNOWLEDGED entry for twenty concurrent clicks', async () => {
    await w.load(burning());
    const id = (await w.scan()).incident.incident!.id;
    const outs = await Promise.all(
      Array.from({ length: 20 }, (_, n) => acknowledge(w.deps, slackCtx(`U${n}`), id)),
    );
    expect(outs.filter((o) => o.changed)).toHaveLength(1);
    expect((await kinds(w, id)).filter((k) => k === 'ACKNOWLEDGED')).toHaveLength(1);
    const i = (await w.repos.incidents.get(id))!;
    expect(i.state).toBe('acknowledged');
    expect(i.nextPageAtMs).toBeNull();
    const loser = outs.find((o) => !o.changed)!;
    expect(loser.reason).toMatch(/acknowledged cannot acknowledge|someone else/);
  });

  it('changes severity as scans change it, resolves on a clean scan, reopens within the window', async () => {
    await w.load(sev3());
    const first = await w.scan();
    const id = first.incident.incident!.id;
    expect(first.incident.incident!.severity).toBe(3);

    await w.load(burning());
    w.clock.advance(MINUTE_MS);
    const worse = await w.scan();
    expect(worse.incident).toMatchObject({ action: 'updated', incident: { id, severity: 1 } });

    await w.load(clean());
    w.clock.advance(MINUTE_MS);
    const fixed = await w.scan();
    expect(fixed.incident).toMatchObject({ action: 'resolved', incident: { id, state: 'resolved' } });

    await w.load(burning());
    w.clock.advance(10 * MINUTE_MS);
    const back = await w.scan();
    expect(back.incident).toMatchObject({ action: 'reopened', incident: { id, state: 'detected' } });
    expect(await kinds(w, id)).toEqual([
      'DETECTED',
      'PAGED',
      'SEVERITY_CHANGED',
      'PAGED',
      'RESOLVED',
      'REOPENED',
      'PAGED',
    ]);
    const audit = await w.db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY id');
    expect(audit.map((a) => a.action)).toEqual([
      'incident.declared',
      'incident.severity_changed',
      'incident.resolved',
      'incident.reopened',
    ]);
  });

  it('declares a new incident when the leak returns after the reopen window', async () => {
    await w.load(burning());
    const first = (await w.scan()).incident.incident!.id;
    await w.load(clean());
    await w.scan();
    await w.load(burning());
    w.clock.advance(61 * MINUTE_MS);
    const again = await w.scan();
    expect(again.incident.action).toBe('declared');
    expect(again.incident.incident!.id).not.toBe(first);
  });

  it('repeats an unacknowledged page every 15 minutes, once per tick, escalating after two repeats', async () => {
    await w.load(burning());
    const id = (await w.scan()).incident.incident!.id;
    expect(await repeatDuePages(w.deps, systemCtx)).toBe(0);
    const escalations: boolean[] = [];
    for (let n = 1; n <= 3; n++) {
      w.clock.advance(15 * MINUTE_MS);
      // Two ticks at once (two replicas): one repeat.
      const sent = await Promise.all([repeatDuePages(w.deps, systemCtx), repeatDuePages(w.deps, systemCtx)]);
      expect(sent[0] + sent[1]).toBe(1);
      const last = (await w.repos.incidents.timeline(id, 1))[0]!;
      escalations.push(last.data['escalated'] as boolean);
      expect(last.data['mentions']).toEqual(n > 2 ? ['SONCALL', 'SSECOND'] : ['SONCALL']);
    }
    expect(escalations).toEqual([false, false, true]);
    await acknowledge(w.deps, slackCtx('U1'), id);
    w.clock.advance(15 * MINUTE_MS);
    expect(await repeatDuePages(w.deps, systemCtx)).toBe(0);
  });

  it('resolves by hand and refuses illegal moves as outcomes, not errors', async () => {
    await w.load(burning());
    const id = (await w.scan()).incident.incident!.id;
    const r = await resolveIncident(w.deps, slackCtx('U9'), id);
    expect(r).toMatchObject({ changed: true, incident: { state: 'resolved', resolvedBy: 'slack:T1:U9' } });
    const again = await resolveIncident(w.deps, slackCtx('U9'), id);
    expect(again).toMatchObject({ changed: false, reason: 'an incident that is resolved cannot resolve' });
    const ack = await acknowledge(w.deps, slackCtx('U9'), id);
    expect(ack.changed).toBe(false);
    const entry = (await w.repos.incidents.timeline(id, 1))[0]!;
    expect(entry).toMatchObject({ kind: 'RESOLVED', data: { reason: 'resolved by hand with 1 issue open' } });
  });

  it('rejects an unknown incident with NOT_FOUND', async () => {
    await expect(acknowledge(w.deps, slackCtx('U1'), '999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
