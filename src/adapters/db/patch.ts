/** Per patch key: the column it writes and how its value is encoded for the driver. */
export type PatchColumns<P> = { [K in keyof Required<P>]: [string, (v: P[K]) => unknown] };

/**
 * The SET list of a conditional UPDATE (incidents, fix runs): `column = $n` for each key present in
 * `patch`, its encoded value appended to `params` (which already hold the WHERE's), and updated_at
 * stamped. Only keys of the closed column map reach the SQL text; values always travel as parameters.
 */
export function patchSets<P extends object>(columns: PatchColumns<P>, patch: P, params: unknown[]): string {
  const sets: string[] = [];
  for (const [k, v] of Object.entries(patch) as [keyof P, never][]) {
    const [col, enc] = columns[k] as [string, (x: unknown) => unknown];
    params.push(enc(v));
    sets.push(`${col} = $${params.length}`);
  }
  sets.push('updated_at = now()');
  return sets.join(', ');
}
