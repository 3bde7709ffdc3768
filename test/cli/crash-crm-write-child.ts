/**
 * A fix's HubSpot write-back in a process of its own, for crash-crm-write.test.ts (issue 16): the fix use
 * cases and the outbox as the server runs them (test/e2e/crm/writeback-world.ts), over the database and
 * the fake HubSpot named in the environment.
 *
 *   node crash-crm-write-child.ts prepare <ISSUE_TYPE>   syncs, scans, previews and approves the bulk fix
 *                                                        (its write batches queued, none sent); prints {"id"}
 *   node crash-crm-write-child.ts deliver                delivers the outbox until it is empty
 *
 * `deliver` honours LEAK_CRASH_POINT as `leak` does (src/app/import/crash-points.ts): with
 * `crm:write-batch@2` it stops once the second write batch is answered and stored, before its job is done.
 */

import { armCrashPoint } from '../../src/app/import/crash-points.ts';
import type { IssueType } from '../../src/domain/rules/catalog.ts';
import { openWritebackWorld } from '../e2e/crm/writeback-world.ts';

const [verb, arg] = process.argv.slice(2);
const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
);
const w = await openWritebackWorld(env);
if (verb === 'prepare') {
  await w.sync();
  await w.scan();
  const run = await w.preview(arg as IssueType);
  const out = await w.approve(run.id);
  process.stdout.write(`${JSON.stringify({ id: run.id, outcome: out.outcome })}\n`);
} else if (verb === 'deliver') {
  const point = process.env['LEAK_CRASH_POINT'];
  if (point) armCrashPoint(point, (line) => process.stderr.write(line));
  await w.drain();
  process.stdout.write(`${JSON.stringify({ delivered: true })}\n`);
} else {
  throw new Error(`unknown verb ${verb}`);
}
await w.close();
