/**
 * Named points where a crash test stops this process dead (test/cli/crash*.test.ts, issue 17): it runs
 * `leak` as a child with `LEAK_CRASH_POINT=<name>` (or `<name>@<n>` for the n-th time the point is
 * reached), waits for the line `crash point <name> reached` on stderr, and SIGKILLs the child there, so
 * "killed between the last batch and the commit" is a place, not a timing guess. Only the CLI arms it
 * (cli.ts), and only from that variable; unarmed, reaching a point costs one comparison and no await.
 *
 * The points, in the order a run meets them:
 *   import:started        the run is recorded and holds the import lock; no row written yet
 *   import:batch          a batch is written inside the import's transaction (`@n`: the n-th)
 *   import:before-commit  every row and the run's result are written; the transaction is not committed
 *   import:committed      committed; the process has not reported yet
 *   scan:evaluated        records loaded and priced; nothing stored
 *   scan:before-commit    the scan and its findings are written; the transaction is not committed
 *   scan:committed        the scan is stored; the incident has not been moved yet
 *   crm:checkpointed      a CRM sync stored a page and its cursor (`@n`: the n-th); the run is open
 *   crm:write-batch       a fix's write-back batch was answered by the CRM and its outcome stored; its
 *                         outbox job is not yet marked done (`@n`: the n-th batch)
 */
let armed: { name: string; nth: number; seen: number; announce(line: string): void } | undefined;

/** `spec` is `<name>` or `<name>@<n>`; `announce` writes the line a test waits for (stderr). */
export function armCrashPoint(spec: string, announce: (line: string) => void): void {
  const at = spec.lastIndexOf('@');
  const nth = at > 0 ? Number(spec.slice(at + 1)) : 1;
  armed = {
    name: at > 0 ? spec.slice(0, at) : spec,
    nth: Number.isInteger(nth) && nth > 0 ? nth : 1,
    seen: 0,
    announce,
  };
}

/** Undefined (nothing to await) unless this is the armed point; then a promise that never settles. */
export function crashPoint(name: string): Promise<never> | undefined {
  if (armed === undefined || armed.name !== name || ++armed.seen !== armed.nth) return undefined;
  armed.announce(`crash point ${name} reached\n`);
  // A pending promise alone does not keep Node alive; the interval does, until the test kills us.
  return new Promise<never>(() => setInterval(() => {}, 60_000));
}
