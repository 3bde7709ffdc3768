import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  actionIdPattern,
  FIX_ACTIONS,
  incidentButtonValue,
  indexedActionId,
  parseFixAction,
  parseIncidentAction,
} from '../../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound, renderTopic } from '../../../src/adapters/slack/blocks/outbound.ts';
import type { KnownBlock } from '../../../src/adapters/slack/blocks/types.ts';
import { renderWarRoom } from '../../../src/adapters/slack/blocks/war-room.ts';
import type { OutboundMessage } from '../../../src/app/outbox/ports.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import {
  acknowledged,
  buildIncident,
  buildIssue,
  flat,
  HOSTILE,
  PINGS,
  resolved,
} from './incident-fixtures.ts';

type Button = { action_id: string; value: string; style?: string; confirm?: { text: { text: string } } };
const buttons = (blocks: readonly KnownBlock[]): Button[] =>
  blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as unknown as Button[]) : []));
const byAction = (blocks: readonly KnownBlock[], id: string) =>
  buttons(blocks).find((b) => b.action_id === id);
const headerText = (blocks: readonly KnownBlock[]) => {
  const h = blocks.find((b) => b.type === 'header');
  return h?.type === 'header' ? h.text.text : '';
};

/** Ten issues whose names, ids and owners are each 500 characters of hostile text. */
const huge = (state: 'detected' | 'acknowledged' | 'resolved'): Incident => {
  const long = (n: number) => `${HOSTILE} ${'W&'.repeat(250)} ${n}`;
  const base = { title: long(0), commander: 'U456' };
  const figures = {
    scanId: long(99),
    topIssues: Array.from({ length: 10 }, (_, n) =>
      buildIssue(n, { name: long(n), recordId: long(n), owner: long(n) }),
    ),
    affectedOwners: Array.from({ length: 5 }, (_, n) => ({ owner: long(n), count: 3, lossCents: 100 })),
  };
  if (state === 'detected') return buildIncident({ ...base, figures });
  if (state === 'acknowledged') return acknowledged({ ...base, figures });
  return resolved({ ...base, figures: { ...figures, openIssues: 10 } });
};

const allMessages = (i: Incident): OutboundMessage[] => [
  { kind: 'war_room', incident: i },
  { kind: 'announce', incident: i },
  { kind: 'page', incident: i, mentions: ['S0ONCALL', 'S0SECOND'], repeat: 3, escalated: true },
  { kind: 'page_dm', incident: i, repeat: 2 },
  ...(['declared', 'severity_changed', 'reopened', 'resolved'] as const).map(
    (event): OutboundMessage => ({ kind: 'alert', incident: i, event }),
  ),
];

describe('renderTopic', () => {
  it('reads as severity, dollars, burn and paging', () => {
    expect(renderTopic(buildIncident())).toBe('SEV-1 · $746,089 at risk · burn 14.9× · PAGE');
  });

  it('is plain text within 250 characters whatever the title, and says when resolved', () => {
    const topic = renderTopic(resolved({ title: HOSTILE.repeat(20) }));
    expect(topic).toBe('RESOLVED · SEV-1 · $0 at risk · burn 0.00×');
    expect(topic.length).toBeLessThanOrEqual(250);
  });

  it('never says PAGE once resolved, even resolved by hand while the leak still burns', () => {
    const byHand = resolved({
      paging: 'PAGE',
      resolvedBy: 'slack:T1:U9',
      figures: { atRiskCents: 87_033_000, burn: 17.4 },
    });
    expect(renderTopic(byHand)).toBe('RESOLVED · SEV-1 · $870,330 at risk · burn 17.4×');
    expect(renderTopic(resolved({ paging: 'WARN' }))).not.toMatch(/WARN|PAGE/);
  });
});

describe('renderWarRoom', () => {
  it('heads with severity, title and state', () => {
    expect(headerText(renderWarRoom(buildIncident()).blocks)).toBe(
      ':red_circle: SEV-1 · Revenue leak: Stale opp · DETECTED',
    );
    expect(headerText(renderWarRoom(acknowledged()).blocks)).toMatch(/ · ACKNOWLEDGED$/);
    expect(headerText(renderWarRoom(resolved()).blocks)).toMatch(/^:white_check_mark: .* · RESOLVED$/);
  });

  it('shows the figures: burn, gauge, dollars and open issues', () => {
    const s = flat(renderWarRoom(buildIncident()));
    for (const want of [
      'SEV-1',
      ':rotating_light: PAGE',
      '14.9×',
      '░░░░░░░░░░` 0%',
      '$746,089',
      '12 (3 high)',
    ])
      expect(s).toContain(want);
    expect(s).toContain('Last scan <!date^');
    expect(s).toContain('scan #7');
  });

  it('offers Acknowledge, Rescan, Resolve and Preview fix while detected', () => {
    const { blocks } = renderWarRoom(buildIncident());
    expect(buttons(blocks).map((b) => b.action_id)).toEqual([
      ACTIONS.ack,
      ACTIONS.rescan,
      ACTIONS.resolve,
      FIX_ACTIONS.preview,
    ]);
    expect(byAction(blocks, ACTIONS.ack)?.style).toBe('primary');
    expect(byAction(blocks, ACTIONS.rescan)?.style).toBeUndefined();
    expect(byAction(blocks, ACTIONS.resolve)?.style).toBe('danger');
    for (const b of buttons(blocks).filter((b) => b.action_id !== FIX_ACTIONS.preview))
      expect(parseIncidentAction(b.action_id, b.value)?.incidentId).toBe('42');
  });

  it('drops Acknowledge once acknowledged, and Resolve too once resolved', () => {
    expect(buttons(renderWarRoom(acknowledged()).blocks).map((b) => b.action_id)).toEqual([
      ACTIONS.rescan,
      ACTIONS.resolve,
      FIX_ACTIONS.preview,
    ]);
    expect(buttons(renderWarRoom(resolved()).blocks).map((b) => b.action_id)).toEqual([ACTIONS.rescan]);
  });

  it('asks for confirmation before resolving only while issues are open', () => {
    const confirm = byAction(renderWarRoom(buildIncident()).blocks, ACTIONS.resolve)?.confirm;
    expect(confirm?.text.text).toBe(
      '12 issues are still open ($746,089 at risk). Resolve anyway? A later scan that still finds them opens the incident again.',
    );
    const one = renderWarRoom(buildIncident({ figures: { openIssues: 1, atRiskCents: 100_000 } }));
    expect(byAction(one.blocks, ACTIONS.resolve)?.confirm?.text.text).toMatch(
      /^1 issue is still open \(\$1,000/,
    );
    const none = renderWarRoom(buildIncident({ figures: { openIssues: 0, topIssues: [] } }));
    expect(byAction(none.blocks, ACTIONS.resolve)?.confirm).toBeUndefined();
  });

  it('shows no paging once resolved, even resolved by hand while the leak still burns', () => {
    const byHand = resolved({
      paging: 'PAGE',
      resolvedBy: 'slack:T1:U9',
      figures: { atRiskCents: 87_033_000, burn: 17.4, openIssues: 12, severity: 1, paging: 'PAGE' },
    });
    const s = flat(renderWarRoom(byHand));
    expect(s).not.toMatch(/PAGE|WARN|:rotating_light:/);
    expect(s).toContain('*Paging*\\n— resolved');
    expect(s).toContain('$870,330');
    expect(flat(renderWarRoom(acknowledged()))).toContain('*Paging*\\n:rotating_light: PAGE');
  });

  it('names who acknowledged and who resolved: Slack users as mentions, others as text', () => {
    const ack = flat(renderWarRoom(acknowledged()));
    expect(ack).toMatch(/Acknowledged\* by <@U456> at <!date\^/);
    expect(ack).toContain('*Commander* <@U456>');
    expect(flat(renderWarRoom(resolved()))).toContain('*Resolved* by system (scheduled-scan) at');
    expect(flat(renderWarRoom(resolved({ resolvedBy: 'cli:alice' })))).toContain('by cli (alice)');
    expect(flat(renderWarRoom(buildIncident()))).toContain('Not acknowledged yet');
  });

  it('lists causes, owners and the top five issues with age and owner, then how many more', () => {
    const s = flat(renderWarRoom(buildIncident()));
    expect(s).toContain('• Stale opp · 8 issues · *$600,000*');
    expect(s).toContain('*Affected owners*');
    expect(s).toContain('• *Deal 1* (`rec-1`) · Stale opp · *$9,900* · 3d · alice');
    expect(s).toContain('· 5h · alice');
    expect(s).toContain('· 45m · alice');
    expect(s.match(/• \*Deal/g)).toHaveLength(5);
    expect(s).toContain('…and 7 more issues');
    expect(flat(renderWarRoom(buildIncident(), { maxIssues: 2 }))).toContain('…and 10 more issues');
  });

  it('never pings anybody, whatever the data holds', () => {
    const i = huge('detected');
    const s = flat(renderWarRoom(i, { maxIssues: 10 }));
    expect(s).not.toMatch(PINGS);
    expect(s).toContain('&lt;!channel&gt;');
    expect(s.match(/<@U/g)).toEqual(['<@U']); // the commander, once
  });

  it.each(['detected', 'acknowledged', 'resolved'] as const)(
    'stays within limits (%s, hostile data)',
    (st) => {
      const r = renderWarRoom(huge(st), { maxIssues: 10 });
      expect(limitViolations(r)).toEqual([]);
      const listed = (flat(r).match(/• \*/g) ?? []).length;
      expect(listed).toBeGreaterThan(0);
      if (listed < 10) expect(flat(r)).toMatch(/…and \d+ more issues/);
    },
  );
});

describe('renderOutbound', () => {
  it('announces with the war room channel linked', () => {
    expect(renderOutbound({ kind: 'announce', incident: buildIncident() }).text).toBe(
      ':rotating_light: SEV-1 incident declared: Revenue leak: Stale opp — $746,089 at risk, burn 14.9×. War room: <#C0INC1>',
    );
    const noChannel = buildIncident({ channelId: null });
    expect(renderOutbound({ kind: 'announce', incident: noChannel }).text).not.toContain('War room');
    const linked = renderOutbound(
      { kind: 'announce', incident: noChannel },
      { links: { warRoomUrl: 'https://x.slack.com/archives/C1/p1' } },
    );
    expect(linked.text).toContain('War room: <https://x.slack.com/archives/C1/p1|War room>');
    const forged = renderOutbound(
      { kind: 'announce', incident: noChannel },
      { links: { warRoomUrl: 'https://evil.example|<!channel>' } },
    );
    expect(flat(forged)).not.toContain('evil');
  });

  it('pages valid user groups only, with the repeat and the escalation', () => {
    const r = renderOutbound({
      kind: 'page',
      incident: buildIncident(),
      mentions: ['S0ONCALL', 'bad', '<!channel>', 's0lower', 'S0 X', 'S0SECOND', 'S0ONCALL'],
      repeat: 3,
      escalated: true,
    });
    const s = flat(r);
    expect(s.match(/<!subteam\^[^>]*>/g)).toEqual([
      '<!subteam^S0ONCALL>',
      '<!subteam^S0SECOND>',
      '<!subteam^S0ONCALL>',
      '<!subteam^S0SECOND>',
    ]);
    expect(s).not.toContain('<!channel>');
    expect(r.text).toContain('PAGE');
    expect(r.text).toContain('Repeat 3');
    expect(r.text).toContain('Escalated to the secondary on-call');
    expect(byAction(r.blocks, ACTIONS.ack)).toBeDefined();
  });

  it('a WARN mentions nobody and has no repeat line on the first send', () => {
    const incident = buildIncident({ paging: 'WARN', severity: 3 });
    const r = renderOutbound({ kind: 'page', incident, mentions: ['S0ONCALL'], repeat: 0, escalated: false });
    expect(flat(r)).not.toMatch(/<!subteam|<!here|<!channel/);
    expect(r.text).toContain('WARN');
    expect(r.text).not.toContain('Repeat');
    expect(r.text).not.toContain('Escalated');
  });

  it('DMs the commander with the channel and an Acknowledge button until acknowledged', () => {
    const r = renderOutbound({ kind: 'page_dm', incident: buildIncident(), repeat: 0 });
    expect(r.text).toMatch(
      /^:bust_in_silhouette: You are incident commander for SEV-1 · \*Revenue leak: Stale opp\*/,
    );
    expect(r.text).toContain('<#C0INC1>');
    expect(byAction(r.blocks, ACTIONS.ack)?.value).toBe('42');
    const later = renderOutbound({ kind: 'page_dm', incident: acknowledged(), repeat: 1 });
    expect(byAction(later.blocks, ACTIONS.ack)).toBeUndefined();
  });

  it('brings an earlier page and DM up to date: as paged, without Acknowledge, saying who settled it', () => {
    const paged = buildIncident();
    const page: Extract<OutboundMessage, { kind: 'page' }> = {
      kind: 'page',
      incident: paged,
      mentions: ['S0ONCALL'],
      repeat: 0,
      escalated: false,
    };
    const dm: Extract<OutboundMessage, { kind: 'page_dm' }> = { kind: 'page_dm', incident: paged, repeat: 0 };
    for (const m of [page, dm]) expect(byAction(renderOutbound(m).blocks, ACTIONS.ack)).toBeDefined();

    const ack = acknowledged();
    const byHand = resolved({ resolvedBy: 'slack:T1:U999' });
    for (const m of [page, dm]) {
      const a = renderOutbound({ ...m, current: ack });
      expect(byAction(a.blocks, ACTIONS.ack)).toBeUndefined();
      expect(flat(a)).toMatch(/:eyes: Acknowledged by <@U456> <!date\^/);
      // What was paged stays as it was paged: the figures of then, not of now.
      expect(a.text).toContain('$746,089 at risk, burn 14.9×');

      const r = renderOutbound({ ...m, current: byHand });
      expect(byAction(r.blocks, ACTIONS.ack)).toBeUndefined();
      expect(flat(r)).toMatch(/:white_check_mark: Resolved by <@U999> <!date\^/);
      expect(r.text).toContain('$746,089 at risk');
    }
    // A page that went out as a page keeps its mentions: an edit notifies nobody.
    expect(renderOutbound({ ...page, current: byHand }).text).toContain('<!subteam^S0ONCALL>');
  });

  it('alerts in one section per event', () => {
    const alert = (event: 'declared' | 'severity_changed' | 'reopened' | 'resolved', i = buildIncident()) =>
      renderOutbound({ kind: 'alert', incident: i, event });
    expect(alert('declared').text).toContain('Incident declared: SEV-1');
    expect(alert('severity_changed').text).toContain('Severity changed: SEV-1');
    expect(alert('reopened').text).toContain('Incident reopened: SEV-1');
    expect(alert('resolved', resolved()).text).toContain('Resolved automatically: SEV-1');
    expect(alert('resolved', resolved({ resolvedBy: 'slack:T1:U9' })).text).toMatch(
      /^:white_check_mark: Resolved: /,
    );
    for (const e of ['declared', 'severity_changed', 'reopened', 'resolved'] as const)
      expect(alert(e).blocks.filter((b) => b.type === 'section')).toHaveLength(1);
  });

  it.each(['detected', 'acknowledged', 'resolved'] as const)(
    'keeps every message within limits and free of data-borne pings (%s)',
    (st) => {
      for (const m of allMessages(huge(st))) {
        const r = renderOutbound(m);
        expect(limitViolations(r), m.kind).toEqual([]);
        expect(flat(r), m.kind).not.toMatch(PINGS);
      }
    },
  );
});

describe('action ids', () => {
  it.each(Object.entries(ACTIONS))('round-trips %s', (action, id) => {
    expect(parseIncidentAction(id, incidentButtonValue('42'))).toEqual({ action, incidentId: '42' });
    expect(parseIncidentAction(id, '9223372036854775807')?.incidentId).toBe('9223372036854775807');
  });

  it.each([
    ['incident.nuke', '42'],
    ['', '42'],
    ['INCIDENT.ACK', '42'],
    [ACTIONS.ack, ''],
    [ACTIONS.ack, '0'],
    [ACTIONS.ack, '-1'],
    [ACTIONS.ack, '01'],
    [ACTIONS.ack, '1.5'],
    [ACTIONS.ack, ' 42'],
    [ACTIONS.ack, '42abc'],
    [ACTIONS.ack, '1e3'],
    [ACTIONS.ack, '9223372036854775808'],
    [ACTIONS.ack, '99999999999999999999999'],
    [ACTIONS.ack, undefined],
  ])('rejects %j with value %j', (id, value) => {
    expect(parseIncidentAction(id, value)).toBeNull();
  });

  it('gives several buttons of one kind ids of their own that still parse and route as that kind', () => {
    expect(indexedActionId(FIX_ACTIONS.preview, 0)).toBe(FIX_ACTIONS.preview);
    const third = indexedActionId(FIX_ACTIONS.preview, 2);
    expect(third).toBe('fix.preview#2');
    expect(parseFixAction(third, 'O-1_STALE_OPP')).toEqual({
      action: 'preview',
      target: { kind: 'issue', issueId: 'O-1_STALE_OPP' },
    });
    const pattern = actionIdPattern(FIX_ACTIONS.preview);
    for (const id of ['fix.preview', 'fix.preview#1', 'fix.preview#999']) expect(pattern.test(id)).toBe(true);
    for (const id of [
      'fix.preview#0',
      'fix.preview#01',
      'fix.preview#1000',
      'fixXpreview',
      'fix.preview.x',
      'x.fix.preview',
    ])
      expect(pattern.test(id), id).toBe(false);
    for (const id of ['fix.preview#0', 'fix.preview#01', 'fix.preview#x'])
      expect(parseFixAction(id, 'O-1_STALE_OPP'), id).toBeNull();
    expect(() => indexedActionId(FIX_ACTIONS.preview, -1)).toThrow();
    expect(() => indexedActionId(FIX_ACTIONS.preview, 1.5)).toThrow();
  });

  it('refuses to build a button value that could not parse back', () => {
    expect(() => incidentButtonValue('abc')).toThrow();
    expect(() => incidentButtonValue('0')).toThrow();
  });
});

describe('War Room recovered dollars', () => {
  it('shows the dollars fixes recovered, and nothing when none', async () => {
    const { renderWarRoom } = await import('../../../src/adapters/slack/blocks/war-room.ts');
    const { buildIncident } = await import('./incident-fixtures.ts');
    const text = (i: ReturnType<typeof buildIncident>) => JSON.stringify(renderWarRoom(i).blocks);
    expect(text(buildIncident({ recoveredCents: 52_045_500 }))).toContain('Recovered by fixes* $520,455');
    expect(text(buildIncident({ recoveredCents: 0 }))).not.toContain('Recovered');
  });
});
