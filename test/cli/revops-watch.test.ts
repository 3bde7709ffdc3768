import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak revops watch` through the real entry point: without REVOPS_LEAK_BUDGET_USD nothing opens; with a
 * budget under the stuck pipeline the stuck-deals incident opens once (a rerun leaves it unchanged), and
 * `leak revops insights` says the stuck-deals insight feeds it. Deals are inserted by SQL, stuck as of now.
 */

const DAY = 86_400_000;

describe.each(backends)('leak revops watch on $name', (backend) => {
  let target: CliTarget;
  const leak = (args: string[], env: Record<string, string> = {}) => runLeak(args, { ...target.env, ...env });

  beforeAll(async () => {
    target = await openCliTarget(backend.name, 'leak-revops-watch');
    expect((await leak(['migrate'])).code).toBe(0);
    const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    await target.withDb((db) =>
      db.query(
        `INSERT INTO revops_deals (deal_id, account, segment, owner, stage, amount_cents, created_at,
           last_stage_change, probability) VALUES
         ('W1', 'Acme', 'ENT', 'Dana', 'Negotiation', 40000000, $1, $2, 0.6),
         ('W2', 'Globex', 'MM', 'Luis', 'Demo', 30000000, $1, $3, 0.3)`,
        [at(200), at(90), at(60)],
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await target.dispose();
  });

  it('opens the stuck-deals incident once over the budget, and the insight names it', async () => {
    const off = await leak(['revops', 'watch']);
    expect(off).toMatchObject({ code: 0, err: '' });
    expect(off.out).toBe('REVOPS_LEAK_BUDGET_USD is not set: stuck deals open no incident.\n');

    const budget = { REVOPS_LEAK_BUDGET_USD: '500000' };
    const first = await leak(['revops', 'watch'], budget);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      /^Stuck now: 2 deals worth \$700,000 stuck over 45 days \(budget \$500,000\), over the leak budget\. Incident #(\d+) declared \(SEV-2, DETECTED\)\.\n$/,
    );
    const id = /#(\d+)/.exec(first.out)![1];

    const again = await leak(['revops', 'watch', '--json'], budget);
    expect(JSON.parse(again.out)).toMatchObject({
      firing: true,
      change: { action: 'none', incident: { id } },
    });

    const insights = await leak(['revops', 'insights'], budget);
    expect(insights.code).toBe(0);
    expect(insights.out).toContain('[critical] 2 deals worth $700,000 stuck over 45 days');
    expect(insights.out).toContain(
      `leak: over the leak budget, $700,000 at risk → feeds open incident #${id} (SEV-2`,
    );

    // A budget above the stuck pipeline: back within it, resolved.
    const within = await leak(['revops', 'watch'], { REVOPS_LEAK_BUDGET_USD: '700000' });
    expect(within.out).toContain(`within the leak budget. Incident #${id} resolved (SEV-2, RESOLVED).`);
  });

  it('refuses an unexpected argument', async () => {
    const r = await leak(['revops', 'watch', 'now']);
    expect(r.code).toBe(64);
    expect(r.err).toContain("unexpected 'now'");
  });
});
