import { readFileSync } from 'node:fs';
import { formatPlan } from '../adapters/cli/fix-report.ts';
import { type FixTarget, planFor } from '../app/fixes/preview.ts';
import type { Services } from '../composition/services.ts';
import type { FixPack } from '../domain/fixpacks/dsl.ts';
import { parseFixPackText } from '../domain/fixpacks/parse.ts';
import { ISSUE_TYPES, type IssueType } from '../domain/rules/catalog.ts';
import { type Io, parse, UsageError } from './common.ts';

/** `leak fix preview`: a dry-run plan of a fix pack (the default one, or a pack of one's own). */

export async function fixCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    bulk: { type: 'string' },
    pack: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [sub, issueId, ...extra] = positionals;
  if (sub !== 'preview')
    throw new UsageError(
      sub === undefined ? 'expected a subcommand: preview' : `unknown subcommand '${sub}'`,
    );
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  let target: FixTarget;
  if (values.bulk !== undefined) {
    if (issueId !== undefined) throw new UsageError('give an issue id or --bulk <TYPE>, not both');
    const type = String(values.bulk).toUpperCase();
    if (!(ISSUE_TYPES as readonly string[]).includes(type))
      throw new UsageError(`unknown issue type '${values.bulk}' (expected one of ${ISSUE_TYPES.join(', ')})`);
    target = { kind: 'bulk', issueType: type as IssueType };
  } else {
    if (issueId === undefined) throw new UsageError('expected an issue id, e.g. O-2005_UNASSIGNED_OWNER');
    target = { kind: 'issue', issueId };
  }
  let pack: FixPack | undefined;
  if (values.pack !== undefined) {
    const file = String(values.pack);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read fix pack ${file}: ${(e as Error).message}`);
    }
    const parsed = parseFixPackText(text);
    if (!parsed.ok) {
      io.err.write(
        `leak fix: ${file} is not a valid fix pack:\n${parsed.errors.map((m) => `  - ${m}`).join('\n')}\n`,
      );
      return 1;
    }
    pack = parsed.pack;
  }
  const { plan } = await planFor(services.fixDeps, target, {
    reserveRoundRobin: false,
    ...(pack ? { pack } : {}),
  });
  io.out.write(
    values.json
      ? `${JSON.stringify(plan, null, 2)}\n`
      : `${formatPlan(plan, { color: io.out.isTTY === true })}\n`,
  );
  return 0;
}
