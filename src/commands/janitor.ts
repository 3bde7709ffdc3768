import type { Ctx } from '../app/context.ts';
import type { JanitorReport } from '../app/telemetry/janitor.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { type Io, parse, UsageError } from './common.ts';

/**
 * `leak janitor`: telemetry retention (Bronze partitions, old Silver rows, the state of metric series idle
 * past Bronze retention; never Gold).
 */

export async function janitorCommand(uc: UseCases, ctx: Ctx, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const report = await uc.janitor(ctx, { dryRun: values['dry-run'] === true });
  io.out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatJanitorReport(report));
  return 0;
}

export const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const count = (n: number) => n.toLocaleString('en-US');

export function formatJanitorReport(r: JanitorReport): string {
  const would = (done: string, planned: string) => (r.dryRun ? planned : done);
  const lines = [
    r.dryRun ? 'Telemetry janitor (dry run: nothing was changed)' : 'Telemetry janitor',
    `Bronze (retention ${r.bronze.retentionDays} days, days before ${day(r.bronze.cutoffMs)}):`,
  ];
  if (r.bronze.created.length > 0)
    lines.push(`  ${would('created', 'would create')} ${r.bronze.created.join(', ')}`);
  for (const d of r.bronze.dropped)
    lines.push(
      `  ${would('dropped', 'would drop')} ${d.name}: ${count(d.rows)} rows, ${count(d.evidence)} evidence rows kept`,
    );
  if (r.bronze.dropped.length === 0) lines.push('  no partition past retention');
  lines.push(`  kept ${count(r.bronze.kept.length)} partitions`);
  lines.push(`Evidence ${would('kept', 'to keep')}: ${count(r.evidenceKept)} rows (bronze_evidence)`);
  lines.push('Silver:');
  if (r.silver.hoursRolledUp !== null)
    lines.push(`  hour rollups ${would('written', 'pending')}: ${count(r.silver.hoursRolledUp)}`);
  lines.push(
    `  minute rows ${would('purged', 'to purge')} (before ${day(r.silver.minuteCutoffMs)}, hour kept): ${count(r.silver.minutesPurged)}`,
    `  hour rows ${would('purged', 'to purge')} (before ${day(r.silver.hourCutoffMs)}): ${count(r.silver.hoursPurged)}`,
  );
  if (r.series.purged !== null)
    lines.push(
      `Metric series state ${would('purged', 'to purge')} (idle since before ${day(r.series.cutoffMs)}): ${count(r.series.purged)} series`,
    );
  lines.push('Gold: untouched');
  if (r.overTagLimit.length === 0) lines.push(`No metric over ${count(r.tagLimit)} tag combinations.`);
  else {
    lines.push(`Metrics over ${count(r.tagLimit)} tag combinations (alert the admins):`);
    for (const m of r.overTagLimit) lines.push(`  ${m.service} ${m.metric}: ${count(m.combinations)}`);
  }
  return `${lines.join('\n')}\n`;
}
