import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { RevopsKind } from '../domain/revops/csv-kinds.ts';
import { customerLine, dealLine, headerLine, mrrLine, spendLine } from '../domain/revops/csv-out.ts';
import {
  type GenerateOptions,
  generateCustomers,
  generateDeals,
  generateSpend,
} from '../domain/revops/generate.ts';
import { DAY_MS } from '../shared/time.ts';
import { type Io, parse, UsageError } from './common.ts';
import { HELP } from './help.ts';

/**
 * `leak generate --out <dir> [--seed N] [--deals N] [--customers N] [--end <date>]`: a seeded, realistic
 * year of RevOps data (domain/revops/generate.ts) written as deals.csv, customers.csv, mrr.csv and
 * spend.csv, each importable by `leak import` with no rejected row. Rows stream from the generators to the
 * files in ~1 MiB writes that respect back-pressure, so a million deals take constant memory. Needs no
 * database and no configuration, so it runs before either is loaded.
 */

const DEFAULTS = { seed: 1, deals: 5_000, customers: 1_000 };
/** Rows between two progress redraws on a terminal. */
const PROGRESS_EVERY = 50_000;
const FLUSH_CHARS = 1 << 20;

/** One CSV being written: lines are buffered and written in large pieces; drain is awaited when asked. */
class CsvOut {
  readonly file: string;
  rows = 0;
  readonly #stream: WriteStream;
  #buf: string;

  constructor(dir: string, kind: RevopsKind) {
    this.file = join(dir, `${kind}.csv`);
    this.#stream = createWriteStream(this.file);
    // Without a listener an 'error' (a full disk) would crash the process; once() and finished() report it.
    this.#stream.on('error', () => {});
    this.#buf = headerLine(kind);
  }

  /** Adds a line; returns a promise only when the buffer was written and the stream wants a pause. */
  add(line: string): Promise<unknown> | undefined {
    this.rows++;
    this.#buf += line;
    if (this.#buf.length < FLUSH_CHARS) return undefined;
    const ok = this.#stream.write(this.#buf);
    this.#buf = '';
    return ok ? undefined : once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    this.#stream.end(this.#buf);
    this.#buf = '';
    await finished(this.#stream);
  }
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || (n < 0 && name !== 'seed'))
    throw new UsageError(`--${name} must be a whole number${name === 'seed' ? '' : ' ≥ 0'}, got '${raw}'`);
  return n;
}

/** --end: the last day of data (UTC), inclusive; the year runs up to midnight after it. Default: yesterday. */
function endOf(raw: string | undefined, nowMs: number): number {
  if (raw === undefined) return Math.floor(nowMs / DAY_MS) * DAY_MS;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw)
    throw new UsageError(`--end must be an ISO date (YYYY-MM-DD), got '${raw}'`);
  return ms + DAY_MS;
}

const n = (x: number): string => x.toLocaleString('en-US');

/** A file written and its data rows. */
export interface GeneratedFile {
  file: string;
  rows: number;
}

/**
 * Writes the four files into `dir` (which must exist) in import order (deals, customers, mrr, spend);
 * progress (rows so far on a terminal, one line per file otherwise) on stderr. `leak demo` uses it too.
 */
export async function writeGenerated(dir: string, o: GenerateOptions, io: Io): Promise<GeneratedFile[]> {
  let startedAt = performance.now();
  const tick = (out: CsvOut): void => {
    if (io.err.isTTY && out.rows % PROGRESS_EVERY === 0)
      io.err.write(`\r${out.file}: ${n(out.rows)} rows\x1b[K`);
  };
  const done = (...outs: CsvOut[]): void => {
    if (io.err.isTTY) io.err.write('\r\x1b[K');
    const s = ((performance.now() - startedAt) / 1000).toFixed(1);
    for (const out of outs) io.err.write(`wrote ${out.file}: ${n(out.rows)} rows (${s} s)\n`);
    startedAt = performance.now();
  };

  const deals = new CsvOut(dir, 'deals');
  for (const d of generateDeals(o)) {
    const wait = deals.add(dealLine(d));
    if (wait) await wait;
    tick(deals);
  }
  await deals.close();
  done(deals);

  const customers = new CsvOut(dir, 'customers');
  const mrr = new CsvOut(dir, 'mrr');
  for (const c of generateCustomers(o)) {
    const wait = customers.add(customerLine(c.customer));
    if (wait) await wait;
    for (const m of c.months) {
      const w = mrr.add(mrrLine(m));
      if (w) await w;
    }
    tick(customers);
  }
  await Promise.all([customers.close(), mrr.close()]);
  done(customers, mrr);

  const spend = new CsvOut(dir, 'spend');
  for (const s of generateSpend(o)) {
    const wait = spend.add(spendLine(s));
    if (wait) await wait;
  }
  await spend.close();
  done(spend);
  return [deals, customers, mrr, spend];
}

export async function generateCommand(rest: string[], io: Io, nowMs: number = Date.now()): Promise<number> {
  let o: GenerateOptions;
  let dir: string;
  try {
    const { values, positionals } = parse(rest, {
      out: { type: 'string' },
      seed: { type: 'string' },
      deals: { type: 'string' },
      customers: { type: 'string' },
      end: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.out === undefined || values.out.trim() === '') throw new UsageError('--out <dir> is required');
    dir = values.out;
    o = {
      seed: nonNegativeInt('seed', values.seed, DEFAULTS.seed),
      deals: nonNegativeInt('deals', values.deals, DEFAULTS.deals),
      customers: nonNegativeInt('customers', values.customers, DEFAULTS.customers),
      endMs: endOf(values.end, nowMs),
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err.write(`leak generate: ${e.message}\n\n${HELP['generate']}\n`);
    return 64;
  }
  try {
    mkdirSync(dir, { recursive: true });
    const outs = await writeGenerated(dir, o, io);
    const last = new Date(o.endMs - DAY_MS).toISOString().slice(0, 10);
    io.out.write(`Generated a year of RevOps data up to ${last} (seed ${o.seed}) in ${dir}:\n`);
    for (const out of outs) io.out.write(`  ${out.file}  ${n(out.rows)} rows\n`);
    io.out.write(
      `Import customers before their MRR history: leak import ${outs[1]!.file} && leak import ${outs[2]!.file}\n`,
    );
    return 0;
  } catch (e) {
    io.err.write(`leak generate: ${(e as Error).message}\n`);
    return 1;
  }
}
