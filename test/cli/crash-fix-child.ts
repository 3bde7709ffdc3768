/**
 * A fix-pack step in a process of its own, for crash-fix.test.ts (issue 17). Approving (= applying) a fix
 * happens in Slack, so no `leak` command does it; this runs the very use cases the Slack listeners call,
 * as the trusted CLI actor, on the database in the environment (DATABASE_URL or PGLITE_DIR):
 *
 *   node crash-fix-child.ts preview <ISSUE_TYPE>       plans the bulk fix; prints {"id", "changes"}
 *   node crash-fix-child.ts approve <run id> [<pause>]  applies it; prints {"outcome", "state"}
 *
 * With <pause> the apply stops inside its transaction and waits to be killed, after printing
 * `paused at <pause>` on stderr: `records-written` right after its first UPDATE of `records` (the fix is
 * half written), `before-commit` once every statement ran (all written, nothing committed).
 */

import type { Db, Sql } from '../../src/adapters/db/client.ts';
import type { Ctx } from '../../src/app/context.ts';
import { approveFix } from '../../src/app/fixes/approve.ts';
import { previewFix } from '../../src/app/fixes/preview.ts';
import { openServices } from '../../src/composition/services.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { IssueType } from '../../src/domain/rules/catalog.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const [verb, arg, pause] = process.argv.slice(2);
const services = await openServices(loadConfig(process.env), quiet);
const ctx: Ctx = { actor: { type: 'cli', user: 'crash-test' }, requestId: 'crash-fix', log: quiet };

const stop = (at: string): Promise<never> => {
  process.stderr.write(`paused at ${at}\n`);
  return new Promise<never>(() => setInterval(() => {}, 60_000));
};

/** Pauses the first transaction that writes `records`, at `at`. */
function pauseIn(db: Db, at: string): void {
  const original = db.transaction.bind(db);
  let done = false;
  db.transaction = <T>(fn: (tx: Sql) => Promise<T>) =>
    original(async (tx) => {
      let writes = false;
      const watched: Sql = {
        ...tx,
        async query(text, params) {
          const rows = await tx.query(text, params);
          if (!done && /^\s*UPDATE records r SET/.test(text)) {
            writes = true;
            if (at === 'records-written') {
              done = true;
              await stop(at);
            }
          }
          return rows as never;
        },
      };
      const out = await fn(watched);
      if (!done && writes && at === 'before-commit') {
        done = true;
        await stop(at);
      }
      return out;
    });
}

if (verb === 'preview') {
  const run = await previewFix(services.fixDeps, ctx, { kind: 'bulk', issueType: arg as IssueType });
  process.stdout.write(`${JSON.stringify({ id: run.id, changes: run.plan.changes })}\n`);
} else if (verb === 'approve') {
  if (pause) pauseIn(services.db, pause);
  const out = await approveFix(services.fixDeps, ctx, arg!);
  process.stdout.write(`${JSON.stringify({ outcome: out.outcome, state: out.run.state })}\n`);
} else {
  throw new Error(`unknown verb ${verb}`);
}
await services.close();
