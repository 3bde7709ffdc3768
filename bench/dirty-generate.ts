/**
 * The "dirty CRM" profile (issue 15): a funnel as a neglected CRM exports it. Every row has an email,
 * each domain is shared by ~200 records (so nearly every open record is a duplicate suspect), and owners,
 * regions and next steps are often missing: ~2.2 issues per record, where the realistic profile
 * (generate.ts) has ~0.4. Seeded: the same seed gives the same file.
 *
 *   node bench/dirty-generate.ts <rows> <out.csv>     writes the file (used by bench/dirty-once.ts)
 */
import { BENCH_AS_OF, rng, writeCsvLines } from './generate.ts';

const DAY = 86_400_000;
const MIN = 60_000;
/** Records per domain: the "~200 records share each domain". */
export const DIRTY_DOMAIN_SIZE = 200;

const FIRST = ['ana', 'ben', 'chloe', 'dev', 'elif', 'femi', 'grace', 'hiro', 'ines', 'jon', 'kofi', 'lena'];
const LAST = ['okafor', 'schmidt', 'tanaka', 'garcia', 'novak', 'haddad', 'liu', 'silva', 'berg', 'rossi'];
const REGIONS = ['NA', 'EMEA', 'APAC', 'LATAM'];
const OWNERS = Array.from({ length: 40 }, (_, i) => `Rep ${i + 1}`);
const OPP_STAGES = ['Discovery', 'Qualified', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'];
const SOURCES = ['webinar', 'outbound', 'paid-search', 'event', 'import'];

/** Yields CSV lines (with newline) for `n` dirty records. */
export function* generateDirtyCsvLines(n: number, seed = 7): Generator<string> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const iso = (ms: number) => new Date(ms).toISOString();
  const domains = Math.max(1, Math.round(n / DIRTY_DOMAIN_SIZE));
  for (let i = 0; i < n; i++) {
    const lead = r() < 0.6;
    const first = pick(FIRST);
    const last = pick(LAST);
    const domain = `acct${Math.floor(r() * domains)}.example.com`;
    const company = `Account ${domain.slice(4, domain.indexOf('.'))}`;
    const owner = r() < 0.3 ? '' : pick(OWNERS);
    const region = r() < 0.3 ? '' : pick(REGIONS);
    let created: number;
    let touch: number | null;
    let stage: string;
    let value: number;
    if (lead) {
      created = BENCH_AS_OF - Math.floor(r() * 60 * DAY);
      touch = r() < 0.7 ? created + Math.floor(r() * 20 * MIN) : null;
      stage = r() < 0.8 ? 'New' : 'Qualified';
      value = Math.round(500 + r() * 20_000);
    } else {
      created = BENCH_AS_OF - Math.floor((10 + r() * 300) * DAY);
      touch = r() < 0.95 ? BENCH_AS_OF - Math.floor(r() * 90 * DAY) : null;
      stage = pick(OPP_STAGES);
      value = Math.round(2_000 + r() * 120_000);
    }
    const nextStep = r() < 0.4 ? '' : pick(['Call back', 'Send pricing', 'Book demo']);
    const name = lead ? `${first} ${last}` : `${company} deal ${i}`;
    yield `D${i},${lead ? 'lead' : 'opp'},${name},${first}.${last}.${i}@${domain},${domain},${company},${pick(SOURCES)},${region},${owner},${stage},${iso(created)},${touch === null ? '' : iso(touch)},${nextStep},${value},\n`;
  }
}

/** Writes `n` dirty records to `file` (header first), in 1 MiB writes. */
export const writeDirtyCsv = (n: number, file: string): Promise<void> =>
  writeCsvLines(file, generateDirtyCsvLines(n));

if (import.meta.url === `file://${process.argv[1]}`) {
  const [rows, file] = process.argv.slice(2);
  if (!rows || !file) throw new Error('usage: node bench/dirty-generate.ts <rows> <out.csv>');
  await writeDirtyCsv(Number(rows), file);
}
