import type { FindingsDelta } from '../../app/records/ports.ts';
import type { RuleThresholds } from '../../domain/rules/catalog.ts';
import { explain, type Issue, type ScanSummary } from '../../domain/scan/summarize.ts';
import { formatBurn, formatCount, formatPercentLeft } from '../../shared/format.ts';
import { formatUsd } from '../../shared/money.ts';

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const dollars = (cents: number) => cents / 100;

/**
 * The stable `leak scan --json` document, written piecewise so a million issues never become one
 * giant string. Field names and units are a contract: dollars as numbers, ratios as fractions.
 */
export async function writeScanJson(
  out: JsonOut,
  scan: { scanId: string; summary: ScanSummary; delta: FindingsDelta },
  t: RuleThresholds,
): Promise<void> {
  const s = scan.summary;
  const head = {
    scan_id: scan.scanId,
    as_of: new Date(s.asOfMs).toISOString(),
    records: s.records,
    total_at_risk_usd: dollars(s.totalAtRiskCents),
    budget_usd: dollars(s.budgetCents),
    burn_rate: round4(s.burn),
    budget_remaining: round4(s.budgetRemaining),
    paging: s.paging,
    incident_severity: s.incidentSeverity,
    high_issues: s.highIssues,
    // A backfill (as-of older than the newest scan) stores totals and changes no finding: changes are 0.
    backfill: !scan.delta.reconciled,
    changes: {
      new: scan.delta.newIssues,
      still_open: scan.delta.stillOpen,
      reopened: scan.delta.reopened,
      cleared: scan.delta.cleared,
    },
    top_causes: s.topCauses.map((c) => ({
      issue_type: c.issueType,
      count: c.count,
      usd: dollars(c.lossCents),
    })),
    affected_segments: s.affectedSegments.map((g) => ({
      owner: g.owner,
      count: g.count,
      usd: dollars(g.lossCents),
    })),
    slos: s.slos.map((o) => ({
      id: o.id,
      name: o.name,
      target: o.target,
      current: round4(o.current),
      breached: o.breached,
      budget_usd: dollars(o.budgetCents),
    })),
  };
  const headJson = JSON.stringify(head, null, 2);
  out.write(`${headJson.slice(0, -2)},\n  "issues": [`);
  // Hundreds of thousands of issues (144 MB of JSON at 442k). One write per issue was one syscall each
  // (stdout to a file or a pipe is synchronous): ~3.5–4.5 s of CPU at 442k. Lines are encoded straight
  // into 1 MiB buffers instead (measured 1.3–1.8 s; joining strings first, 1.7–2.3 s), each written whole
  // (only whole lines, so a reader decoding chunk by chunk never splits a character) and never reused,
  // since a stream may still hold it.
  let buf = Buffer.allocUnsafe(JSON_CHUNK);
  let used = 0;
  const ruleJson = new Map<Issue['rule'], { head: string; tail: string }>();
  for (let n = 0; n < s.issues.length; n++) {
    const i = s.issues[n]!;
    let rule = ruleJson.get(i.rule);
    if (rule === undefined) {
      rule = ruleFields(i.rule);
      ruleJson.set(i.rule, rule);
    }
    const line =
      `${n === 0 ? '\n    ' : ',\n    '}{"issue_id":${JSON.stringify(i.issueId)},"record_id":${JSON.stringify(i.record.id)}` +
      `${rule.head},"estimated_loss_usd":${JSON.stringify(dollars(i.lossCents))}` +
      `,"explanation":${JSON.stringify(explain(i, s.asOfMs, t))}${rule.tail},"owner":${JSON.stringify(i.record.owner)}}`;
    // At most 3 UTF-8 bytes per UTF-16 unit: a line that might not fit goes out with the next buffer.
    if (used + line.length * 3 > buf.length) {
      if (used > 0) await writeChunk(out, buf.subarray(0, used));
      buf = Buffer.allocUnsafe(Math.max(JSON_CHUNK, line.length * 3));
      used = 0;
    }
    used += buf.write(line, used);
  }
  if (used > 0) await writeChunk(out, buf.subarray(0, used));
  out.write(`${s.issues.length === 0 ? '' : '\n  '}]\n}\n`);
}

const JSON_CHUNK = 1 << 20;

/**
 * An issue's fields that come from its rule, as JSON members (each with its leading comma), made once per
 * rule: they are most of each issue's bytes (the root cause is a sentence), and stringifying them per issue
 * was half of writing 442k issues. The member order is the document's: issue_id, record_id, issue_type,
 * severity, severity_label, estimated_loss_usd, explanation, fix_pack, slo, root_cause, owner; a member
 * whose value is undefined is left out, as JSON.stringify does.
 */
function ruleFields(r: Issue['rule']): { head: string; tail: string } {
  const members = (o: object) => {
    const json = JSON.stringify(o).slice(1, -1);
    return json === '' ? '' : `,${json}`;
  };
  return {
    head: members({ issue_type: r.issueType, severity: r.severity, severity_label: r.label }),
    tail: members({ fix_pack: r.fixPack, slo: r.slo, root_cause: r.rootCause }),
  };
}

/** Waits for 'drain' when a stream asks to (a pipe to a slow reader), so output never piles up in memory. */
async function writeChunk(out: JsonOut, chunk: Uint8Array): Promise<void> {
  if (out.write(chunk) === false && typeof out.once === 'function')
    await new Promise<void>((resolve) => out.once!('drain', () => resolve()));
}

type JsonOut = { write(s: string | Uint8Array): unknown; once?(event: 'drain', f: () => void): unknown };

/** Record fields come from CSV data: control characters (escape sequences, newlines) never reach the terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const clean = (s: string) => s.replace(CONTROL, ' ');
const pad = (raw: string, n: number) => {
  const s = clean(raw);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
};
const padL = (s: string, n: number) => s.padStart(n);

/** The human table for `leak scan`: headline, causes, SLOs and the top issues. */
export function formatScanTable(
  scan: { scanId: string; summary: ScanSummary; delta: FindingsDelta },
  t: RuleThresholds,
  limit = 20,
): string {
  const s = scan.summary;
  const d = scan.delta;
  const lines: string[] = [];
  lines.push(
    `Scan ${scan.scanId} as of ${new Date(s.asOfMs).toISOString()} — ${formatCount(s.records)} records`,
    `SEV-${s.incidentSeverity} · ${s.paging} · ${formatUsd(s.totalAtRiskCents)} at risk of ${formatUsd(s.budgetCents)} · ` +
      `burn ${formatBurn(s.burn)} · budget left ${formatPercentLeft(s.budgetRemaining)}`,
    d.reconciled
      ? `${formatCount(s.issues.length)} open issues (${formatCount(d.newIssues)} new, ${formatCount(d.reopened)} reopened, ${formatCount(d.cleared)} cleared since last scan)`
      : `${formatCount(s.issues.length)} open issues as of then (backfill: totals stored, findings unchanged)`,
    '',
    'Top causes',
  );
  for (const c of s.topCauses)
    lines.push(
      `  ${pad(c.issueType, 24)} ${padL(formatCount(c.count), 8)}  ${padL(formatUsd(c.lossCents), 14)}`,
    );
  lines.push('', 'Revenue SLOs');
  for (const o of s.slos)
    lines.push(
      `  ${pad(o.id, 24)} ${padL(`${(o.current * 100).toFixed(1)}%`, 8)} target ${(o.target * 100).toFixed(0)}%  ${o.breached ? 'BREACHED' : 'ok'}`,
    );
  if (s.issues.length > 0) {
    lines.push('', `${pad('ISSUE', 34)} ${pad('OWNER', 14)} ${padL('AT RISK', 12)}  WHY`);
    for (const i of s.issues.slice(0, limit))
      lines.push(
        `${pad(i.issueId, 34)} ${pad(i.record.owner || 'Unassigned', 14)} ${padL(formatUsd(i.lossCents), 12)}  ${clean(explain(i, s.asOfMs, t))}`,
      );
    if (s.issues.length > limit)
      lines.push(`… and ${formatCount(s.issues.length - limit)} more (use --json)`);
  }
  return lines.join('\n');
}
