import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import type { Ctx } from '../app/context.ts';
import type { Services } from '../composition/services.ts';
import type { UseCases } from '../composition/use-cases.ts';
import type { GenerateOptions } from '../domain/revops/generate.ts';
import { formatCount } from '../shared/format.ts';
import { DAY_MS } from '../shared/time.ts';
import type { Io } from './common.ts';
import { importCommand } from './import-scan.ts';
import { printDigest } from './revops.ts';
import { writeGenerated } from './revops-generate.ts';

/**
 * The revenue team's side of `leak demo` (issue 14): a year of CRM deals, customers with their monthly MRR
 * and daily marketing spend from the seeded generator (what `leak generate` writes), imported by `leak
 * import` itself (kind read from each header, streamed, COPY upserts, ANALYZE), then the weekly digest
 * exactly as `leak digest` prints it for the week just ended, with its charts written next to the CSVs.
 */
export interface RevopsStoryDeps {
  services: Services;
  uc: UseCases;
  /**
   * Where the CSVs and charts go (made when missing; the demo's own directory, wiped by the next run), as
   * the user would type it. Null when the demo runs in memory: the CSVs go to a temporary directory that
   * is removed afterwards, and no chart is written.
   */
  dir: string | null;
  /** The generated year ends here (exclusive): the day the scenario starts, so its week just ended is whole. */
  endMs: number;
}

/**
 * Sized for a demo that stays quick while every figure of the week has data: 3,000 deals (a hundred stuck),
 * 600 customers with 8,574 months of MRR, 16,713 spend rows. Generating, importing and the digest with its
 * three charts took 0.8–1.9 s on PGlite on a loaded 2-core machine (the whole demo: 13–27 s there).
 */
export const DEMO_REVOPS: Omit<GenerateOptions, 'endMs'> = { seed: 14, deals: 3_000, customers: 600 };

/** A stream that drops what is written: `leak generate`'s per-file progress lines are not the story's. */
const quiet = (): Writable =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });

export async function runRevopsStory(deps: RevopsStoryDeps, ctx: Ctx, io: Io): Promise<void> {
  const say = (s: string) => io.out.write(`${s}\n`);
  say("\n━━ And for the revenue team: the week's numbers, from a year of CRM, billing and ad spend ━━\n");
  const scratch = deps.dir === null ? mkdtempSync(join(tmpdir(), 'leak-demo-revops-')) : null;
  const dir = deps.dir ?? scratch!;
  try {
    mkdirSync(dir, { recursive: true });
    const o: GenerateOptions = { ...DEMO_REVOPS, endMs: deps.endMs };
    const files = await writeGenerated(dir, o, { out: io.out, err: quiet() });
    const rows = (name: string) => formatCount(files.find((f) => basename(f.file) === name)?.rows ?? 0);
    const last = new Date(o.endMs - DAY_MS).toISOString().slice(0, 10);
    say(
      `Generated a year of RevOps data up to ${last} (\`leak generate --seed ${o.seed} --deals ${o.deals} ` +
        `--customers ${o.customers} --end ${last}\`): ${rows('deals.csv')} deals, ${rows('customers.csv')} ` +
        `customers with ${rows('mrr.csv')} months of MRR, ${rows('spend.csv')} rows of marketing spend.`,
    );
    // `leak import <file>` for each, as a user would run it: customers before their MRR history.
    for (const f of files) {
      const code = await importCommand(deps.services, ctx, [f.file], io);
      if (code !== 0) throw new Error(`demo RevOps import of ${f.file} rejected rows (exit ${code})`);
    }
    say(
      '\nThe weekly digest for the week just ended, as `leak digest` prints it (a running bot posts it to ' +
        'DIGEST_CHANNEL every Monday; /revops digest asks for it in Slack):\n',
    );
    const chartDir = deps.dir === null ? undefined : join(deps.dir, 'charts');
    const charts = await printDigest(deps.uc, { week: null, json: false, chartDir }, io);
    say(
      charts.length > 0
        ? `Its charts (${charts.map((c) => basename(c)).join(', ')}) are in ${chartDir}; ` +
            '`leak revops pipeline|revenue|marketing|insights` slices any period.'
        : 'No charts written (the demo ran in memory): `leak digest --chart <dir>` writes them as PNG files.',
    );
  } finally {
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
}
