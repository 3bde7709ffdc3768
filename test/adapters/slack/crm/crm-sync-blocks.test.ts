import { describe, expect, it } from 'vitest';
import { crmHomeBlocks, renderCrmAlert } from '../../../../src/adapters/slack/blocks/crm-sync.ts';
import { renderHome } from '../../../../src/adapters/slack/blocks/home.ts';
import { limitViolations } from '../../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound } from '../../../../src/adapters/slack/blocks/outbound.ts';
import type { CrmStatusView } from '../../../../src/app/crm/status.ts';

const AT = Date.parse('2026-11-02T16:00:00Z');

describe('CRM sync on Slack', () => {
  it("a revoked token: what failed, HubSpot's words (escaped), and what to do", () => {
    const r = renderOutbound({
      kind: 'crm_alert',
      alert: {
        connector: 'HubSpot',
        event: 'failed',
        kind: 'auth',
        reason:
          'HubSpot refused the token (401 INVALID_AUTHENTICATION): <!channel> Authentication credentials not found.',
        failures: 1,
        atMs: AT,
      },
    });
    expect(r.text).toContain(':rotating_light: *HubSpot sync failed: token refused*');
    expect(r.text).toContain('&lt;!channel&gt;');
    expect(r.text).toContain('create a new private-app token and set it, then restart');
    expect(JSON.stringify(r.blocks)).toContain('first failed run');
    expect(limitViolations(r)).toEqual([]);
  });

  it('an outage alerted after three runs says so; a recovery is one line', () => {
    const r = renderCrmAlert({
      connector: 'HubSpot',
      event: 'failed',
      kind: 'unavailable',
      reason: 'x'.repeat(5000),
      failures: 3,
      atMs: AT,
    });
    expect(JSON.stringify(r.blocks)).toContain('3 failed runs in a row');
    expect(limitViolations(r)).toEqual([]);
    expect(
      renderCrmAlert({
        connector: 'HubSpot',
        event: 'recovered',
        kind: 'auth',
        reason: null,
        failures: 0,
        atMs: AT,
      }).text,
    ).toBe(':white_check_mark: *HubSpot sync recovered* — syncs get through again (after: token refused).');
  });

  it('the App Home line: records per object, the last run and its spend, a standing error', () => {
    const view: CrmStatusView = {
      connector: 'hubspot',
      label: 'HubSpot',
      running: false,
      streams: [
        { stream: 'contacts', noun: 'contact', cursorMs: AT, fullInProgress: false, records: 1234 },
        { stream: 'deals', noun: 'deal', cursorMs: AT, fullInProgress: false, records: 567 },
      ],
      lastRun: {
        id: '7',
        mode: 'incremental',
        actor: 'system:scheduled-scan',
        status: 'failed',
        startedAtMs: AT,
        finishedAtMs: AT + 1000,
        seen: 0,
        written: 0,
        rejected: 0,
        calls: 1,
        dailyMax: 250_000,
        dailyRemaining: 200_000,
        rateLimited: 0,
        waitedMs: 0,
        reason: 'HubSpot refused the token',
        failureKind: 'auth',
      },
      lastRunShare: 1 / 250_000,
      dailyShare: 0.5,
      syncCap: 125_000,
      lastSuccessAtMs: AT - 3_600_000,
      lastError: {
        atMs: AT + 1000,
        kind: 'auth',
        reason: 'HubSpot refused the token',
        remedy: 'Create a new token.',
      },
    };
    const text = JSON.stringify(crmHomeBlocks(view));
    expect(text).toContain('HubSpot sync* · 1,234 contacts · 567 deals');
    expect(text).toContain(':x: Last incremental sync');
    expect(text).toContain('1 call (0.0004% of the daily allowance)');
    expect(text).toContain(':warning: Last error');
    // Once a later sync got through, the error is history: not shown.
    expect(JSON.stringify(crmHomeBlocks({ ...view, lastSuccessAtMs: AT + 5000 }))).not.toContain(
      'Last error',
    );

    // Both CRMs connected: the Home tab has a line for each.
    const salesforce: CrmStatusView = {
      ...view,
      connector: 'salesforce',
      label: 'Salesforce',
      streams: [{ stream: 'leads', noun: 'lead', cursorMs: AT, fullInProgress: false, records: 42 }],
    };
    const empty = { open: [], figures: null, budgetPaging: null, recent: [], recoveredThisWeekCents: 0 };
    const home = JSON.stringify(renderHome(empty, AT, null, null, [view, salesforce]).blocks);
    expect(home).toContain('HubSpot sync* · 1,234 contacts · 567 deals');
    expect(home).toContain('Salesforce sync* · 42 leads');
    expect(JSON.stringify(renderHome(empty, AT).blocks)).not.toContain(' sync*');
  });
});
