import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { edit, set, slo } from '../domain/sla/openslo-fixtures.ts';
import { runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak sla apply -f` and `leak sla list` through the real entry point, in-process, on an on-disk PGlite
 * directory (or, when DATABASE_URL is set, a fresh PostgreSQL database as well).
 */

const dir = mkdtempSync(join(tmpdir(), 'leak-sla-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const yamlOf = (docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

describe.each(backends.map((b) => b.name))('leak sla on %s', (name) => {
  let env: Record<string, string>;
  let dispose = async () => {};
  const leak = (args: string[]) => runLeak(args, env);

  beforeAll(async () => {
    if (name === 'pglite') env = { PGLITE_DIR: join(dir, `db-${name}`), LOG_LEVEL: 'silent' };
    else {
      const opened = await backends.find((b) => b.name === 'postgres')!.open();
      env = { DATABASE_URL: opened.url!, LOG_LEVEL: 'silent' };
      dispose = opened.dispose;
    }
  });
  afterAll(async () => dispose());

  it('is listed in --help, has its own help, and rejects bad usage with 64', async () => {
    expect((await leak(['--help'])).out).toMatch(/leak sla apply -f <slos\.yaml>/);
    const help = await leak(['sla', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/openslo\/v1/);
    const none = await leak(['sla']);
    expect(none.code).toBe(64);
    expect(none.err).toMatch(/expected a subcommand: apply, list, snapshot, evaluate or report/);
    expect((await leak(['sla', 'delete'])).err).toMatch(/unknown subcommand 'delete'/);
    const noFile = await leak(['sla', 'apply']);
    expect(noFile.code).toBe(64);
    expect(noFile.err).toMatch(/expected -f <file\.yaml>/);
  });

  it('lists nothing before any apply', async () => {
    const r = await leak(['sla', 'list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/No SLA definitions/);
  });

  it('applies a Service + SLI + SLO file, then reports it unchanged on a second apply', async () => {
    const path = file('slos.yaml', yamlOf(set()));
    const first = await leak(['sla', 'apply', '-f', path]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/checkout-availability: defined \(version 1\)/);
    expect(first.out).toMatch(/1 new, 0 revised, 0 unchanged/);
    const again = await leak(['sla', 'apply', '--file', path]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/checkout-availability: unchanged \(version 1\)/);
  });

  it('lists the definition in force, as a table and as JSON', async () => {
    const r = await leak(['sla', 'list']);
    expect(r.code).toBe(0);
    const [head, row, ...more] = r.out.trimEnd().split('\n');
    expect(head).toMatch(
      /^ID\s+VERSION\s+SERVICE\s+METRIC\s+INDICATOR\s+TARGET\s+WINDOW\s+ACTIVE FROM\s+BURN NOW$/,
    );
    // Not evaluated yet: the burn column says so.
    expect(row).toMatch(
      /^checkout-availability\s+1\s+checkout\s+http\.server\.request\s+availability\s+99\.9%\s+30d\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+—$/,
    );
    expect(more).toEqual([]);
    const json = await leak(['sla', 'list', '--json']);
    expect(JSON.parse(json.out)).toMatchObject([
      {
        id: 'checkout-availability',
        version: 1,
        target: 0.999,
        windowDays: 30,
        activeToMs: null,
        lastEvaluation: null,
      },
    ]);
  });

  it('revises a changed SLO: version 2 is the one listed', async () => {
    const docs = set();
    docs[2] = edit(slo(), 'spec.objectives', [{ targetPercent: 99.5 }]);
    const r = await leak(['sla', 'apply', '-f', file('revised.yaml', yamlOf(docs))]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/checkout-availability: revised: version 2 now, version 1 closed/);
    const list = await leak(['sla', 'list']);
    expect(list.out).toMatch(/checkout-availability\s+2\s+.*99\.5%/);
  });

  it('a YAML syntax error exits 1 and names the line', async () => {
    const broken = file(
      'broken.yaml',
      'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: checkout\n---\nkind: SLO\nspec:\n  objectives: [{ target: 0.99\n  service: checkout\n',
    );
    const r = await leak(['sla', 'apply', '-f', broken]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/broken\.yaml is not valid YAML/);
    expect(r.err).toMatch(/at line 9, column \d+/);
  });

  it('an invalid document exits 1, lists every problem with its line, and applies nothing', async () => {
    const docs = set();
    docs[2] = edit(edit(slo(), 'spec.budgetingMethod', 'Timeslices'), 'spec.objectives', [{ target: 1.5 }]);
    const r = await leak(['sla', 'apply', '-f', file('invalid.yaml', yamlOf(docs))]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/invalid\.yaml is not a valid SLO set \(nothing was applied\)/);
    const problems = r.err.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems).toHaveLength(2);
    expect(r.err).toMatch(
      /invalid\.yaml:\d+: docs\[2\] \(SLO checkout-availability\): spec\.budgetingMethod/,
    );
    expect(r.err).toMatch(/spec\.objectives\[0\]\.target must be between 0 and 1/);
    expect((await leak(['sla', 'list'])).out).toMatch(/checkout-availability\s+2\s/);
  });

  it('applies standalone alerting documents: rules, channels, a calendar window; objects kept', async () => {
    const meta = (name: string) => ({ name });
    const docs = [
      {
        apiVersion: 'openslo/v1',
        kind: 'DataSource',
        metadata: meta('ours'),
        spec: { type: 'revenue-leak-sre', connectionDetails: { token: 'x' } },
      },
      {
        apiVersion: 'openslo/v1',
        kind: 'AlertCondition',
        metadata: meta('fast-burn'),
        spec: {
          severity: 'page',
          condition: { kind: 'burnrate', op: 'gt', threshold: 14.4, lookbackWindow: '1h', alertAfter: '5m' },
        },
      },
      {
        apiVersion: 'openslo/v1',
        kind: 'AlertNotificationTarget',
        metadata: meta('oncall'),
        spec: { target: 'slack:C0ONCALL001' },
      },
      {
        apiVersion: 'openslo/v1',
        kind: 'AlertPolicy',
        metadata: meta('paging'),
        spec: {
          alertWhenNoData: true,
          conditions: [{ conditionRef: 'fast-burn' }],
          notificationTargets: [{ targetRef: 'oncall' }],
        },
      },
      edit(
        edit(edit(slo(), 'metadata', { name: 'checkout-monthly' }), 'spec.alertPolicies', ['paging']),
        'spec.timeWindow',
        [
          {
            duration: '1M',
            isRolling: false,
            calendar: { startTime: '2026-01-01 00:00:00', timeZone: 'UTC' },
          },
        ],
      ),
    ];
    const r = await leak(['sla', 'apply', '-f', file('alerting.yaml', yamlOf(docs))]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/checkout-monthly: defined \(version 1\)/);
    expect(r.out).toMatch(/^AlertPolicy paging: stored$/m);
    expect(r.out).toMatch(/^DataSource ours: stored$/m);
    // Accepted with a warning that names the file, line, document and field.
    expect(r.err).toMatch(
      /leak sla: warning: .*alerting\.yaml:\d+: docs\[3\] \(AlertPolicy paging\): spec\.alertWhenNoData is not supported/,
    );
    const list = await leak(['sla', 'list', '--json']);
    const monthly = (JSON.parse(list.out) as { id: string }[]).find((d) => d.id === 'checkout-monthly');
    expect(monthly).toMatchObject({
      windowDays: 30,
      calendar: { unit: 'M', timeZone: 'UTC' },
      rules: [{ action: 'page', name: '1h/5m', factor: 14.4 }],
      notify: { page: ['C0ONCALL001'], ticket: [] },
    });
    expect((await leak(['sla', 'list'])).out).toMatch(/checkout-monthly\s+1\s+.*calendar month/);
  });

  it('a later file refers to the Service and SLI applied earlier', async () => {
    const later = edit(slo(), 'metadata', { name: 'checkout-later' });
    const r = await leak(['sla', 'apply', '-f', file('later.yaml', yamlOf([later]))]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/checkout-later: defined \(version 1\)/);
  });

  it('refusals name the file line, the document and the field; a Sloth file says what to convert', async () => {
    const mail = {
      apiVersion: 'openslo/v1',
      kind: 'AlertNotificationTarget',
      metadata: { name: 'mail' },
      spec: { target: 'email' },
    };
    const r = await leak(['sla', 'apply', '-f', file('mail.yaml', yamlOf([...set(), mail]))]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /mail\.yaml:\d+: docs\[3\] \(AlertNotificationTarget mail\): spec\.target "email" is not a Slack channel/,
    );
    const sloth =
      'version: prometheus/v1\nservice: checkout\nslos:\n  - name: availability\n    objective: 99.9\n    sli: { events: { error_query: x, total_query: y } }\n';
    const s = await leak(['sla', 'apply', '-f', file('sloth.yaml', sloth)]);
    expect(s.code).toBe(1);
    expect(s.err).toMatch(
      /sloth\.yaml:1: docs\[0\] \(Sloth spec checkout\): version "prometheus\/v1": this is a Sloth spec.*convert slos\[0\] \(availability\)\.sli\.events to an OpenSLO SLI ratioMetric/,
    );
  });

  it('an unreadable file exits 1', async () => {
    const r = await leak(['sla', 'apply', '-f', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read .*missing\.yaml/);
  });
});
