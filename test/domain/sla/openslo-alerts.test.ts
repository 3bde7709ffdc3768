import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/domain/sla/burn.ts';
import { openSloToDefinitions } from '../../../src/domain/sla/definition.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { type Doc, definitionsOf, edit, errorsOf, NOW, service, sli, slo } from './openslo-fixtures.ts';

/** OpenSLO alerting as people write it: AlertPolicy, AlertCondition, AlertNotificationTarget. */

const meta = (name: string) => ({ name });
const doc = (kind: string, name: string, spec: Doc): Doc => ({
  apiVersion: 'openslo/v1',
  kind,
  metadata: meta(name),
  spec,
});
const condition = (
  name: string,
  severity: string,
  threshold: number,
  lookbackWindow: string,
  alertAfter?: string,
) =>
  doc('AlertCondition', name, {
    severity,
    condition: {
      kind: 'burnrate',
      op: 'gt',
      threshold,
      lookbackWindow,
      ...(alertAfter ? { alertAfter } : {}),
    },
  });
const target = (name: string, spec: Doc, annotations?: Doc): Doc => ({
  ...doc('AlertNotificationTarget', name, spec),
  metadata: { name, ...(annotations ? { annotations } : {}) },
});
const policy = (name: string, conditions: unknown[], notificationTargets: unknown[] = []) =>
  doc('AlertPolicy', name, { alertWhenBreaching: true, conditions, notificationTargets });
const sloWith = (alertPolicies: unknown[]) => edit(slo(), 'spec.alertPolicies', alertPolicies);
const SLO_LABEL = (i: number) => `docs[${i}] (SLO checkout-availability)`;

describe('alert policies become the SLA page and ticket rules', () => {
  it('standalone documents referenced by name: conditions → rules, targets → Slack channels', () => {
    const [def] = definitionsOf([
      service(),
      sli(),
      condition('fast-burn', 'page', 14.4, '1h', '5m'),
      condition('slow-burn', 'ticket', 1, '3d'),
      target('oncall', { target: 'slack:C0PAGES0001' }),
      target('ops-tickets', { target: 'slack' }, { 'revenue-leak-sre/slack-channel': 'C0TICKET001' }),
      policy('paging', [{ conditionRef: 'fast-burn' }], [{ targetRef: 'oncall' }]),
      policy('ticketing', ['slow-burn'], ['ops-tickets']),
      sloWith(['paging', { alertPolicyRef: 'ticketing' }]),
    ]);
    expect(def!.rules).toEqual([
      {
        action: 'page',
        name: '1h/5m',
        longMs: HOUR_MS,
        shortMs: 5 * MINUTE_MS,
        budgetSpent: 0.02,
        factor: 14.4,
      },
      // 3d / 12 = 6h: the workbook's pairing when alertAfter is not given.
      {
        action: 'ticket',
        name: '3d/6h',
        longMs: 72 * HOUR_MS,
        shortMs: 6 * HOUR_MS,
        budgetSpent: 0.1,
        factor: 1,
      },
    ]);
    expect(def!.notify).toEqual({
      page: ['C0PAGES0001'],
      ticket: ['C0TICKET001'],
      byRule: { '1h/5m': ['C0PAGES0001'], '3d/6h': ['C0TICKET001'] },
    });
  });

  it('each rule keeps the targets of its own policy: two ticket policies, two channels', () => {
    const [def] = definitionsOf([
      service(),
      sli(),
      condition('day-burn', 'ticket', 3, '24h'),
      condition('slow-burn', 'ticket', 1, '3d'),
      target('payments', { target: 'slack:C0PAYMENTS1' }),
      target('platform', { target: 'slack:C0PLATFORM1' }),
      policy('payments-tickets', ['day-burn'], ['payments']),
      policy('platform-tickets', ['slow-burn'], ['platform']),
      sloWith(['payments-tickets', 'platform-tickets']),
    ]);
    expect(def!.notify).toEqual({
      page: [],
      ticket: ['C0PAYMENTS1', 'C0PLATFORM1'],
      byRule: { '24h/2h': ['C0PAYMENTS1'], '3d/6h': ['C0PLATFORM1'] },
    });
  });

  it('inline policies, conditions and targets (a channel link too); pages sort first, fastest first', () => {
    const inline = {
      kind: 'AlertPolicy',
      metadata: meta('inline'),
      spec: {
        conditions: [
          {
            kind: 'AlertCondition',
            metadata: meta('c1'),
            spec: {
              severity: 'Warning',
              condition: { kind: 'burnrate', op: 'gte', threshold: 3, lookbackWindow: '24h' },
            },
          },
        ],
        notificationTargets: [
          {
            kind: 'AlertNotificationTarget',
            metadata: meta('t1'),
            spec: { target: 'https://acme.slack.com/archives/C0LINKED01' },
          },
        ],
      },
    };
    const critical = {
      kind: 'AlertPolicy',
      metadata: meta('crit'),
      spec: {
        conditions: [
          {
            kind: 'AlertCondition',
            metadata: meta('c2'),
            spec: { severity: 'SEV-1', condition: { threshold: 6, lookbackWindow: '6h' } },
          },
        ],
      },
    };
    const [def] = definitionsOf([service(), sli(), sloWith([inline, critical])]);
    expect(def!.rules!.map((r) => [r.action, r.name, r.factor])).toEqual([
      ['page', '6h/30m', 6],
      ['ticket', '24h/2h', 3],
    ]);
    expect(def!.notify).toEqual({ page: [], ticket: ['C0LINKED01'], byRule: { '24h/2h': ['C0LINKED01'] } });
  });

  it('no alert policies keep the default rules (none stored on the definition)', () => {
    const [def] = definitionsOf([service(), sli(), slo()]);
    expect(def!.rules).toBeUndefined();
    expect(def!.notify).toBeUndefined();
  });

  it('a policy applied earlier can be referenced by a later file', () => {
    const first = openSloToDefinitions(
      [service(), sli(), condition('fast-burn', 'page', 14.4, '1h'), policy('paging', ['fast-burn']), slo()],
      NOW,
    );
    if (!first.ok) throw new Error(first.errors.join('\n'));
    const later = openSloToDefinitions(
      [edit(sloWith(['paging']), 'metadata.name', 'checkout-2')],
      NOW,
      first.objects,
    );
    if (!later.ok) throw new Error(later.errors.join('\n'));
    expect(later.definitions[0]!.rules!.map((r) => r.name)).toEqual(['1h/5m']);
  });

  it('warns about what it accepts but cannot do', () => {
    const r = openSloToDefinitions(
      [
        service(),
        sli(),
        {
          ...policy('quiet', [condition('c', 'page', 14.4, '1h')]),
          spec: {
            alertWhenNoData: true,
            alertWhenBreaching: false,
            conditions: [condition('c', 'page', 14.4, '1h')],
          },
        },
        edit(
          sloWith([
            'quiet',
            {
              kind: 'AlertPolicy',
              metadata: meta('x'),
              spec: { conditions: [condition('y', 'page', 2000, '1h')] },
            },
          ]),
          'spec.objectives',
          [{ target: 0.999 }],
        ),
      ],
      NOW,
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.warnings).toEqual([
      'docs[2] (AlertPolicy quiet): spec.alertWhenNoData is not supported: a window with fewer events than SLA_MIN_EVENTS never fires, and nothing alerts on the silence',
      'docs[2] (AlertPolicy quiet): spec.alertWhenBreaching is false: its conditions never alert',
      `${SLO_LABEL(3)}: spec.alertPolicies: a page condition's threshold 2000 can never be exceeded at target 0.999 (every event failing burns 1000×)`,
    ]);
  });
});

/** Each row: the documents after Service and SLI, and the errors they must produce (nothing else). */
// biome-ignore format: one refusal per line reads as the table it is
const REFUSALS: [string, Doc[], ...string[]][] = [
  ['an unknown policy', [sloWith(['paging'])], `${SLO_LABEL(2)}: spec.alertPolicies[0] "paging" names no AlertPolicy in this set or applied earlier`],
  ['an unknown condition', [policy('p', [{ conditionRef: 'nope' }]), sloWith(['p'])], 'docs[2] (AlertPolicy p): spec.conditions[0].conditionRef "nope" names no AlertCondition in this set or applied earlier'],
  ['an unknown target', [condition('c', 'page', 14.4, '1h'), policy('p', ['c'], [{ targetRef: 'pager' }]), sloWith(['p'])], 'docs[3] (AlertPolicy p): spec.notificationTargets[0].targetRef "pager" names no AlertNotificationTarget in this set or applied earlier'],
  ['a severity that is neither', [condition('c', 'meh', 14.4, '1h')], 'docs[2] (AlertCondition c): spec.severity "meh" is neither a page (page, critical, high, urgent, sev1, sev2, p1, p2) nor a ticket (ticket, warning, warn, medium, low, info, sev3, sev4, sev5, p3, p4, p5)'],
  ['a condition below its threshold', [{ ...condition('c', 'page', 14.4, '1h'), spec: { severity: 'page', condition: { op: 'lt', threshold: 2, lookbackWindow: '1h' } } }], 'docs[2] (AlertCondition c): spec.condition.op must be "gt" or "gte": a burn-rate condition alerts on a burn above its threshold (got "lt")'],
  ['a zero threshold', [condition('c', 'page', 0, '1h')], 'docs[2] (AlertCondition c): spec.condition.threshold must be a burn rate greater than 0 (got 0)'],
  ['a lookback in months', [condition('c', 'page', 2, '1M')], 'docs[2] (AlertCondition c): spec.condition.lookbackWindow must be in minutes, hours, days or weeks (got "1M")'],
  ['a lookback too long', [condition('c', 'ticket', 1, '7d')], 'docs[2] (AlertCondition c): spec.condition.lookbackWindow must be from 5m to 3d (got "7d")'],
  ['alertAfter not shorter', [condition('c', 'page', 2, '1h', '2h')], 'docs[2] (AlertCondition c): spec.condition.alertAfter must be shorter than lookbackWindow "1h" (got "2h")'],
  ['another condition kind', [{ ...condition('c', 'page', 2, '1h'), spec: { severity: 'page', condition: { kind: 'threshold', threshold: 2, lookbackWindow: '1h' } } }], 'docs[2] (AlertCondition c): spec.condition.kind must be "burnrate" (got "threshold")'],
  ['an email target', [target('mail', { target: 'email' })], 'docs[2] (AlertNotificationTarget mail): spec.target "email" is not a Slack channel, the only target the bot notifies: write spec.target: slack:C0123456789 (a Slack channel id), or target: slack with the annotation revenue-leak-sre/slack-channel: C0123456789'],
  ['slack without a channel', [target('s', { target: 'slack' })], 'docs[2] (AlertNotificationTarget s): spec.target "slack" names no channel: write spec.target: slack:C0123456789 (a Slack channel id), or target: slack with the annotation revenue-leak-sre/slack-channel: C0123456789'],
  ['a bad channel annotation', [target('s', { target: 'slack' }, { 'revenue-leak-sre/slack-channel': '#ops' })], 'docs[2] (AlertNotificationTarget s): metadata.annotations.revenue-leak-sre/slack-channel must be a Slack channel id such as C0123456789 (got "#ops")'],
  ['a policy without conditions', [policy('p', []), sloWith(['p'])], 'docs[2] (AlertPolicy p): spec.conditions must have at least one condition'],
  ['an inline condition gone wrong', [sloWith([{ kind: 'AlertPolicy', metadata: meta('p'), spec: { conditions: [{ kind: 'AlertCondition', metadata: meta('c'), spec: { severity: 'page', condition: { threshold: 2 } } }] } }])], `${SLO_LABEL(2)}: spec.alertPolicies[0].spec.conditions[0].spec.condition.lookbackWindow is missing`],
  ['a policy item that is neither', [sloWith([42])], `${SLO_LABEL(2)}: spec.alertPolicies[0] must name an AlertPolicy (a name, or { alertPolicyRef: name }) or be one written inline (kind: AlertPolicy, metadata, spec) (got 42)`],
];

describe('alerting refusals name the document and the field', () => {
  it.each(REFUSALS)('%s', (_label, docs, ...expected) => {
    expect(
      errorsOf([service(), sli(), ...docs, ...(docs.some((d) => d['kind'] === 'SLO') ? [] : [slo()])]),
    ).toEqual(expected);
  });
});
