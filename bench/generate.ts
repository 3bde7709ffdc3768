/**
 * A seeded generator of realistic funnel records (the same seed gives the same file). Proportions are
 * chosen to look like a mid-market CRM: most leads are worked on time, a few percent are unowned or
 * unrouted, some domains repeat, and opportunities spread across stages with a long tail of idle deals.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_AS_OF = Date.parse('2026-11-02T16:00:00Z');
const DAY = 86_400_000;
const MIN = 60_000;

/** mulberry32: tiny, fast, good enough for test data. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Elif',
  'Femi',
  'Grace',
  'Hiro',
  'Ines',
  'Jon',
  'Kofi',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
];
const LAST = [
  'Okafor',
  'Schmidt',
  'Tanaka',
  'García',
  'Novak',
  'Haddad',
  'Liu',
  'Silva',
  'Berg',
  'Rossi',
  'Iyer',
  'Kowalski',
];
const WORDS = [
  'north',
  'blue',
  'atlas',
  'helix',
  'verde',
  'lotus',
  'iron',
  'summit',
  'harbor',
  'nova',
  'pine',
  'delta',
];
const SOURCES = [
  'demo-request',
  'webinar',
  'outbound',
  'paid-search',
  'partner-referral',
  'content-download',
  'event',
];
const REGIONS = ['NA', 'NA', 'NA', 'EMEA', 'EMEA', 'APAC', 'LATAM'];
const OWNERS = Array.from(
  { length: 40 },
  (_, i) => `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`,
);
const LEAD_STAGES = ['New', 'New', 'New', 'Qualified'];
const OPP_STAGES = [
  'Discovery',
  'Qualified',
  'Proposal',
  'Proposal',
  'Negotiation',
  'Closed Won',
  'Closed Lost',
];

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export const HEADER =
  'id,type,name,email,domain,company,source,region,owner,stage,created_at,last_touch_at,next_step,value_usd,notes\n';

/** Yields CSV lines (with newline) for `n` records. */
export function* generateCsvLines(n: number, seed = 42): Generator<string> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < n; i++) {
    const lead = r() < 0.6;
    const first = pick(FIRST);
    const last = pick(LAST);
    // ~6% of records share a domain with an earlier one (duplicates); the rest are unique.
    const domain =
      r() < 0.06 && i > 0 ? `${pick(WORDS)}${Math.floor(r() * (i / 20 + 1))}.com` : `${pick(WORDS)}-${i}.com`;
    const stem = domain.split('.')[0]!.replace(/-\d+$/, '');
    const company = `${stem[0]!.toUpperCase()}${stem.slice(1)} ${pick(['Labs', 'Group', 'Inc', 'GmbH', 'Logistics'])}`;
    const owner = r() < 0.03 ? '' : pick(OWNERS);
    const region = r() < 0.02 ? '' : pick(REGIONS);
    let created: number;
    let touch: number | null;
    let stage: string;
    let nextStep: string;
    let value: number;
    if (lead) {
      created = BENCH_AS_OF - Math.floor(r() * 30 * DAY);
      // 92% of leads touched, most within the SLA.
      touch = r() < 0.92 ? created + Math.floor(r() * 45 * MIN) : null;
      stage = pick(LEAD_STAGES);
      nextStep = r() < 0.85 ? pick(['Discovery call', 'Qualify budget', 'Send case study']) : '';
      value = Math.round(1000 + r() * r() * 60_000);
    } else {
      created = BENCH_AS_OF - Math.floor((10 + r() * 170) * DAY);
      touch = r() < 0.97 ? BENCH_AS_OF - Math.floor(r() * r() * 60 * DAY) : null;
      stage = pick(OPP_STAGES);
      nextStep =
        r() < 0.88
          ? pick(['Legal review', 'Pricing approval', 'Exec sponsor meeting', 'Security review'])
          : '';
      value = Math.round(5000 + r() * r() * 250_000);
    }
    const name = lead
      ? `${first} ${last}`
      : `${company} — ${pick(['Platform', 'Expansion', 'Pilot', 'Renewal'])}`;
    const email = `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`;
    const notes = r() < 0.1 ? 'Asked for pricing, "urgent"' : '';
    yield `L${i},${lead ? 'lead' : 'opp'},${csvField(name)},${email},${domain},${csvField(company)},${pick(SOURCES)},${region},${owner},${stage},${iso(created)},${touch === null ? '' : iso(touch)},${nextStep},${value}${r() < 0.3 ? '.50' : ''},${csvField(notes)}\n`;
  }
}

/** Writes the CSV header and `lines` to `file` in 1 MiB writes, waiting for the disk when it asks. */
export async function writeCsvLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  out.write(HEADER);
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buf, () => resolve()).once('error', reject));
}

/** The seeded funnel of `n` records as `<dir>/funnel-<n>-seed42.csv`, written once and reused; its path. */
export async function writeFunnelCsv(n: number, dir: string, step: (s: string) => void): Promise<string> {
  const file = join(dir, `funnel-${n}-seed42.csv`);
  if (existsSync(file)) return file;
  step(`generating ${n.toLocaleString('en-US')} records → ${file}`);
  await writeCsvLines(file, generateCsvLines(n));
  return file;
}
