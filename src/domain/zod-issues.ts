/**
 * Reading zod's issues back as messages a person can act on, shared by every validator that names where
 * in the input a problem is (fix packs, OpenSLO documents, telemetry events).
 */

export type IssuePath = readonly PropertyKey[];

/** `steps[2].type`, `spec.objectives[0].target`; the input itself is `root`. */
export function formatPath(path: IssuePath, root: string): string {
  let out = '';
  for (const seg of path)
    out += typeof seg === 'number' ? `[${seg}]` : `${out === '' ? '' : '.'}${String(seg)}`;
  return out === '' ? root : out;
}

/** The value found at `path` in `input`, or undefined where the path leads nowhere. */
export function valueAt(input: unknown, path: IssuePath): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/**
 * A received value as shown in a message: strings quoted (and shortened), other kinds named; an object is
 * called `objectNoun` ("a mapping" reads better for YAML).
 */
export function show(v: unknown, objectNoun = 'an object'): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? objectNoun : `a ${typeof v}`;
}
