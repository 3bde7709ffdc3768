/**
 * A strict reader of Prometheus's text exposition format (version 0.0.4), for tests: prom-client ships no
 * parser. Every line must be blank, a HELP, a TYPE or a sample; every sample must belong to a family declared by
 * a TYPE line before it (a histogram's `_bucket`, `_sum` and `_count` included); no family is declared
 * twice and no series appears twice. Throws on the first line that breaks a rule, naming it.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the one sample with this name and exactly these labels, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
// NaN in any case: prom-client writes `Nan` (its default event-loop metrics do before their first sample),
// and Prometheus reads values with Go's strconv.ParseFloat, which takes any case.
const VALUE = '(?:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[Nn][Aa][Nn]|[-+]Inf)';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (${VALUE})(?: -?\\d+)?$`);
const ONE_LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;

const unescapeLabel = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

const parseValue = (v: string): number =>
  v.toLowerCase() === 'nan'
    ? Number.NaN
    : v.endsWith('Inf')
      ? v.startsWith('-')
        ? -Infinity
        : Infinity
      : Number(v);

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;
    const t = base === null ? undefined : types.get(base);
    if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base!;
  }
  return undefined;
}

const key = (s: Pick<Sample, 'name' | 'labels'>) =>
  `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

function readSample(line: string, n: number, types: Map<string, string>): Sample {
  const m = SAMPLE.exec(line);
  if (!m) throw new Error(`line ${n} is not a HELP, TYPE or sample line: ${line}`);
  const name = m[1]!;
  if (familyOf(name, types) === undefined) throw new Error(`line ${n}: ${name} has no TYPE before it`);
  const labels: Record<string, string> = {};
  for (const l of (m[2] ?? '').matchAll(ONE_LABEL)) {
    if (l[1]! in labels) throw new Error(`line ${n}: label ${l[1]} twice`);
    labels[l[1]!] = unescapeLabel(l[2]!);
  }
  return { name, labels, value: parseValue(m[3]!) };
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return; // blank lines are allowed (prom-client puts one between families)
    const help = HELP.exec(line);
    const type = TYPE.exec(line);
    if (help) {
      if (helps.has(help[1]!)) throw new Error(`line ${i + 1}: HELP of ${help[1]} twice`);
      helps.add(help[1]!);
    } else if (type) {
      if (types.has(type[1]!)) throw new Error(`line ${i + 1}: TYPE of ${type[1]} twice`);
      types.set(type[1]!, type[2]!);
    } else {
      const s = readSample(line, i + 1, types);
      if (seen.has(key(s))) throw new Error(`line ${i + 1}: series ${key(s)} twice`);
      seen.add(key(s));
      samples.push(s);
    }
  });
  const matches = (s: Sample, labels: Record<string, string>) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    types,
    samples,
    value: (name, labels = {}) => samples.find((s) => key(s) === key({ name, labels }))?.value,
    find: (name, labels = {}) => samples.filter((s) => s.name === name && matches(s, labels)),
  };
}
