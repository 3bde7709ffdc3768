import { beforeEach, describe, expect, it } from 'vitest';
import { useIncidentWorld, type World } from '../../app/incidents/setup.ts';
import { NOW } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';

/**
 * The repositories select `id::text AS id`; a bare `ORDER BY id` then sorts the text alias ('9' after '10'),
 * so "newest" picks the wrong rows as soon as ids reach two digits.
 */
describe.each(backends)('ordering by id past 9 rows on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  const figures = JSON.stringify({});
  async function insertIncident(i: number, state: 'resolved' | 'detected'): Promise<string> {
    const [r] = await w.db.query<{ id: string }>(
      `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, figures)
       VALUES ($1, $2, $3, 4, 'OK', $4, $5) RETURNING id::text AS id`,
      [`k${i}`, `incident ${i}`, state, new Date(NOW + i * 1000).toISOString(), figures],
    );
    return r!.id;
  }

  it('latest() is the incident with the highest id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await insertIncident(i, 'resolved'));
    const latest = await w.repos.incidents.latest();
    expect(latest?.id).toBe(ids.at(-1));
  });

  it('recentTimeline and timeline return the newest entries', async () => {
    const id = await insertIncident(0, 'detected');
    await w.repos.incidents.transaction(async (tx) => {
      for (let n = 0; n < 12; n++)
        await tx.addEvent({ incidentId: id, kind: 'NOTE', actor: 'test', atMs: NOW + n, data: { n } });
    });
    const recent = await w.repos.incidents.recentTimeline(3);
    expect(recent.map((e) => e.data['n'])).toEqual([11, 10, 9]);
    const tail = await w.repos.incidents.timeline(id, 3);
    expect(tail.map((e) => e.data['n'])).toEqual([9, 10, 11]);
  });
});
