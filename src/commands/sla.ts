import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Ctx } from '../app/context.ts';
import type { Services } from '../composition/services.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { windowLabel } from '../domain/sla/calendar.ts';
import type { SlaDefinition } from '../domain/sla/definition.ts';
import { byTags } from '../domain/sla/indicator.ts';
import { formatBurn, formatCount, formatTarget } from '../shared/format.ts';
import { type Io, parse, UsageError, when, writeListing } from './common.ts';
import { slaReportCommand } from './sla-report.ts';

/** `leak sla apply|list`: SLA definitions from OpenSLO YAML, versioned, never edited in place. */

/** The YAML documents of a file as plain values, or every syntax error with its line. */
export function readYamlDocuments(
  text: string,
): { ok: true; docs: unknown[]; lines: number[] } | { ok: false; errors: string[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  const list = Array.isArray(parsed) ? parsed : [];
  const errors = list.flatMap((d) => d.errors.map((e) => e.message.trimEnd()));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    docs: list.map((d) => d.toJS()),
    lines: list.map((d) => lineCounter.linePos((d.contents?.range ?? d.range)[0]).line),
  };
}

/** `availability`, `latency<300ms`, with `+filter` when its SLI filters the metric's attributes. */
export const indicatorText = (d: SlaDefinition) =>
  (d.indicator.kind === 'latency' ? `latency<${d.indicator.thresholdMs}ms` : 'availability') +
  (byTags(d.indicator) ? '+filter' : '');

export async function slaCommand(
  services: Services,
  uc: UseCases,
  ctx: Ctx,
  rest: string[],
  io: Io,
): Promise<number> {
  const { values, positionals } = parse(rest, {
    file: { type: 'string', short: 'f' },
    json: { type: 'boolean', default: false },
    day: { type: 'string' },
    week: { type: 'string' },
    service: { type: 'string' },
    chart: { type: 'string' },
  });
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (sub !== 'report')
    for (const o of ['week', 'service', 'chart'] as const)
      if (values[o] !== undefined) throw new UsageError(`--${o} is an option of leak sla report`);
  switch (sub) {
    case 'report':
      if (values.file !== undefined) throw new UsageError('-f is an option of leak sla apply');
      if (values.day !== undefined) throw new UsageError('--day is an option of leak sla snapshot');
      return slaReportCommand(
        services,
        uc,
        { week: values.week, service: values.service, json: values.json === true, chart: values.chart },
        io,
      );
    case 'snapshot':
      if (values.file !== undefined) throw new UsageError('-f is an option of leak sla apply');
      return snapshotCommand(uc, ctx, values.day, values.json === true, io);
    case 'apply':
      if (values.day !== undefined) throw new UsageError('--day is an option of leak sla snapshot');
      if (values.json) throw new UsageError('--json is an option of leak sla list');
      if (values.file === undefined) throw new UsageError('expected -f <file.yaml>');
      return applyCommand(uc, ctx, String(values.file), io);
    case 'evaluate':
      if (values.file !== undefined) throw new UsageError('-f is an option of leak sla apply');
      if (values.day !== undefined) throw new UsageError('--day is an option of leak sla snapshot');
      return evaluateCommand(uc, ctx, values.json === true, io);
    case 'list':
      if (values.file !== undefined) throw new UsageError('-f is an option of leak sla apply');
      if (values.day !== undefined) throw new UsageError('--day is an option of leak sla snapshot');
      return listCommand(services, values.json === true, io);
    case undefined:
      throw new UsageError('expected a subcommand: apply, list, snapshot, evaluate or report');
    default:
      throw new UsageError(`unknown subcommand '${sub}'`);
  }
}

/** `leak sla apply -f <file.yaml>`: OpenSLO documents applied as new versions, or every problem with its line. */
async function applyCommand(uc: UseCases, ctx: Ctx, file: string, io: Io): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.err.write(`leak sla: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const yaml = readYamlDocuments(text);
  if (!yaml.ok) {
    const indented = yaml.errors
      .flatMap((m) => m.split('\n'))
      .map((l) => (l === '' ? '' : `  ${l}`))
      .join('\n');
    io.err.write(`leak sla: ${file} is not valid YAML:\n${indented}\n`);
    return 1;
  }
  const outcome = await uc.applySlas(ctx, yaml.docs);
  // docs[i] → file:line of that document, so each problem can be found in the file.
  const locate = (m: string) =>
    m.replace(/^docs\[(\d+)\]/, (label, i: string) => {
      const line = yaml.lines[Number(i)];
      return line === undefined ? label : `${file}:${line}: ${label}`;
    });
  if (!outcome.ok) {
    const located = outcome.errors.map(locate);
    io.err.write(
      `leak sla: ${file} is not a valid SLO set (nothing was applied):\n${located.map((m) => `  - ${m}`).join('\n')}\n`,
    );
    return 1;
  }
  const counts = { new: 0, unchanged: 0, revised: 0 };
  for (const r of outcome.results) {
    counts[r.outcome]++;
    const what =
      r.outcome === 'new'
        ? `defined (version ${r.version})`
        : r.outcome === 'revised'
          ? `revised: version ${r.version} now, version ${r.version - 1} closed`
          : `unchanged (version ${r.version})`;
    io.out.write(`${r.id}: ${what}\n`);
  }
  for (const o of outcome.objects) io.out.write(`${o.kind} ${o.name}: ${o.outcome}\n`);
  for (const w of outcome.warnings) io.err.write(`leak sla: warning: ${locate(w)}\n`);
  io.out.write(
    `Applied ${file}: ${formatCount(counts.new)} new, ${formatCount(counts.revised)} revised, ${formatCount(counts.unchanged)} unchanged.\n`,
  );
  return 0;
}

/** `leak sla list [--json]`: the definitions in force, each with its last burn-rate evaluation. */
async function listCommand(services: Services, json: boolean, io: Io): Promise<number> {
  const list = await services.repos.slas.listActive(services.clock.now());
  const burn = new Map((await services.repos.slaAlerts.states()).map((s) => [s.slaId, s]));
  writeListing(io, list, {
    json,
    document: json ? list.map((d) => ({ ...d, lastEvaluation: burn.get(d.id) ?? null })) : undefined,
    empty: 'No SLA definitions. Define some with: leak sla apply -f <slos.yaml>',
    header: [
      'ID',
      'VERSION',
      'SERVICE',
      'METRIC',
      'INDICATOR',
      'TARGET',
      'WINDOW',
      'ACTIVE FROM',
      'BURN NOW',
    ],
    row: (d) => [
      d.id,
      String(d.version),
      d.service,
      d.metric,
      indicatorText(d),
      formatTarget(d.target),
      windowLabel(d),
      when(d.activeFromMs),
      burnText(burn.get(d.id)),
    ],
  });
  return 0;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `leak sla snapshot [--day YYYY-MM-DD] [--json]`: the SLA engine now (missing days up to yesterday, or one day). */
async function snapshotCommand(
  uc: UseCases,
  ctx: Ctx,
  dayText: string | undefined,
  json: boolean,
  io: Io,
): Promise<number> {
  let day: number | undefined;
  if (dayText !== undefined) {
    const ms = DAY_RE.test(dayText) ? Date.parse(`${dayText}T00:00:00Z`) : Number.NaN;
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== dayText)
      throw new UsageError(`--day must be a date YYYY-MM-DD, got '${dayText}'`);
    day = ms;
  }
  const results = await uc.snapshotSlas(ctx, day);
  const rows = results.map((r) => ({ ...r, day: new Date(r.day).toISOString().slice(0, 10) }));
  const table = writeListing(io, rows, {
    json,
    empty: 'No snapshot to take: every SLA definition is snapshotted up to yesterday.',
    header: ['SLA', 'DAY', 'UPTIME', 'SNAPSHOT'],
    row: (r) => [r.slaId, r.day, `${r.uptimePct.toFixed(4)}%`, r.inserted ? 'created' : 'exists'],
  });
  if (!table) return 0;
  const created = rows.filter((r) => r.inserted).length;
  io.out.write(`${formatCount(created)} created, ${formatCount(rows.length - created)} already existed.\n`);
  return 0;
}

/** "page 36.0× (12:04)", "none 0.20× (12:04)", or "—" before the first evaluation. */
function burnText(s: { action: string; burn: number; evaluatedAtMs: number } | undefined): string {
  if (s === undefined) return '—';
  const time = new Date(s.evaluatedAtMs).toISOString().slice(11, 16);
  return `${s.action} ${formatBurn(s.burn)} (${time}Z)`;
}

/**
 * `leak sla evaluate [--json]`: one burn-rate evaluation now, as the server's per-minute job runs it (pending
 * Silver minutes compacted first). Incidents and tickets it opens are delivered by the server's worker.
 */
async function evaluateCommand(uc: UseCases, ctx: Ctx, json: boolean, io: Io): Promise<number> {
  await uc.compactSilver();
  const outcomes = await uc.evaluateSlas(ctx);
  const table = writeListing(io, outcomes, {
    json,
    empty: 'No SLA definitions in force. Define some with: leak sla apply -f <slos.yaml>',
    header: ['SLA', 'ACTION', 'RULE', 'BURN', 'INCIDENT', 'TICKET'],
    row: (o) => [
      o.slaId,
      o.action,
      o.rule ?? '—',
      formatBurn(o.burn),
      o.incidentId === null ? o.incident : `${o.incident} #${o.incidentId}`,
      o.ticket ? 'queued' : '—',
    ],
  });
  if (table && outcomes.some((o) => o.incident !== 'none' || o.ticket))
    io.out.write('Slack messages are queued in the outbox; the running server delivers them.\n');
  return 0;
}
