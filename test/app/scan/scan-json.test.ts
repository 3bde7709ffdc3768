/**
 * `leak scan --json` at scale (issue 15): the document is streamed in ~1 MiB buffers, and must stay byte
 * for byte what JSON.stringify gives per issue, whatever the text holds and wherever a buffer ends, and
 * wait for a slow reader instead of piling the output up in memory.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeScanJson } from '../../../src/adapters/cli/scan-report.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { explain, type ScanSummary, summarize } from '../../../src/domain/scan/summarize.ts';
import { buildOpp, NOW } from '../../domain/build.ts';

const delta = { newIssues: 1, stillOpen: 2, reopened: 3, cleared: 4, reconciled: true };

/** `n` unowned, unrouted opportunities whose text needs escaping or takes several UTF-8 bytes. */
function summaryOf(n: number): ScanSummary {
  const records: FunnelRecord[] = Array.from({ length: n }, (_, i) =>
    buildOpp({
      id: `rec-${i}-"q"\\\u0001😀`,
      owner: i % 3 === 0 ? '' : `Zoë “${i}”`,
      region: '',
      nextStep: i % 2 ? '' : 'Call',
      valueCents: 100_000 + i * 7,
    }),
  );
  return summarize(records, NOW, DEFAULT_THRESHOLDS, DEFAULT_BUDGET_POLICY);
}

/** The issue lines as the document spells them: JSON.stringify of each issue, in the contract's key order. */
function expectedIssues(s: ScanSummary): string {
  const docs = s.issues.map((i) =>
    JSON.stringify({
      issue_id: i.issueId,
      record_id: i.record.id,
      issue_type: i.rule.issueType,
      severity: i.rule.severity,
      severity_label: i.rule.label,
      estimated_loss_usd: i.lossCents / 100,
      explanation: explain(i, s.asOfMs, DEFAULT_THRESHOLDS),
      fix_pack: i.rule.fixPack,
      slo: i.rule.slo,
      root_cause: i.rule.rootCause,
      owner: i.record.owner,
    }),
  );
  return docs.length === 0 ? '[]' : `[\n    ${docs.join(',\n    ')}\n  ]`;
}

/** A stream that takes `highWaterMark` bytes before asking for a drain, decoding each chunk on its own. */
function reader(highWaterMark: number) {
  const chunks: string[] = [];
  let drains = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(String(chunk));
      setImmediate(cb);
    },
  });
  stream.on('drain', () => drains++);
  return { stream, text: () => chunks.join(''), chunks, drains: () => drains };
}

describe('writeScanJson', () => {
  it('writes each issue as JSON.stringify does, in buffers that end on whole characters', async () => {
    // ~14,000 issues of ~400 bytes: several 1 MiB buffers, with 4-byte characters on every line.
    const s = summaryOf(7_000);
    expect(s.issues.length).toBeGreaterThan(10_000);
    const out = reader(1 << 24);
    await writeScanJson(out.stream, { scanId: '42', summary: s, delta }, DEFAULT_THRESHOLDS);
    await new Promise<void>((r) => out.stream.end(r));
    const text = out.text();
    expect(out.chunks.length).toBeGreaterThan(3);
    expect(text).not.toContain('\uFFFD');
    const doc = JSON.parse(text);
    expect(doc.scan_id).toBe('42');
    expect(doc.issues).toHaveLength(s.issues.length);
    expect(text.slice(text.indexOf('"issues": ') + '"issues": '.length, -3)).toBe(expectedIssues(s));
    expect(text.endsWith('\n  ]\n}\n')).toBe(true);
  });

  it('an empty scan prints an empty list', async () => {
    const s = summaryOf(0);
    const out = reader(1 << 20);
    await writeScanJson(out.stream, { scanId: '1', summary: s, delta }, DEFAULT_THRESHOLDS);
    await new Promise<void>((r) => out.stream.end(r));
    expect(out.text()).toMatch(/"issues": \[\]\n}\n$/);
    expect(JSON.parse(out.text()).issues).toEqual([]);
  });

  it('waits for a slow reader to drain instead of buffering the whole document', async () => {
    const s = summaryOf(7_000);
    const out = reader(64 * 1024);
    let maxPending = 0;
    const write = out.stream.write.bind(out.stream);
    out.stream.write = ((chunk: string | Uint8Array) => {
      const ok = write(chunk);
      maxPending = Math.max(maxPending, out.stream.writableLength);
      return ok;
    }) as typeof out.stream.write;
    await writeScanJson(out.stream, { scanId: '7', summary: s, delta }, DEFAULT_THRESHOLDS);
    await new Promise<void>((r) => out.stream.end(r));
    expect(out.drains()).toBeGreaterThan(1);
    // At most one buffer (plus the head) waits at any time.
    expect(maxPending).toBeLessThan(2.5 * (1 << 20));
    expect(JSON.parse(out.text()).issues).toHaveLength(s.issues.length);
  });
});
