import { renderAuditVerdict } from '../adapters/cli/audit-verify.ts';
import type { Services } from '../composition/services.ts';
import { type Io, parse, UsageError, when, writeListing } from './common.ts';

/** `leak audit verify` and `leak tokens`: operations on the audit chain and on ingest tokens. */

export async function auditCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
  const [sub, ...extra] = positionals;
  if (sub === undefined) throw new UsageError('expected a subcommand: verify');
  if (sub !== 'verify') throw new UsageError(`unknown subcommand '${sub}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const verdict = await services.repos.audit.verify();
  const { stream, text, code } = renderAuditVerdict(verdict, { json: values.json === true });
  io[stream].write(text);
  return code;
}

export async function tokensCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
  const [sub, arg, ...extra] = positionals;
  const tokens = services.repos.tokens;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  switch (sub) {
    case 'create': {
      if (arg === undefined)
        throw new UsageError('expected a name, e.g. leak tokens create checkout-service');
      const made = await tokens.create(arg);
      // The token alone on stdout (scripts capture it); everything said about it goes to stderr.
      io.out.write(`${made.token}\n`);
      io.err.write(
        `Created ingest token ${made.id} '${arg.trim()}' (prefix ${made.prefix}).\n` +
          'Copy it now: it cannot be shown again (only its SHA-256 hash is stored).\n',
      );
      return 0;
    }
    case 'list': {
      if (arg !== undefined) throw new UsageError(`unexpected argument '${arg}'`);
      const list = await tokens.list();
      writeListing(io, list, {
        json: values.json === true,
        empty: 'No ingest tokens. Create one with: leak tokens create <name>',
        header: ['ID', 'NAME', 'PREFIX', 'CREATED', 'REVOKED'],
        row: (t) => [t.id, t.name, t.prefix, when(t.createdAtMs), when(t.revokedAtMs)],
      });
      return 0;
    }
    case 'revoke': {
      if (arg === undefined) throw new UsageError('expected a token id or prefix (see leak tokens list)');
      if (await tokens.revoke(arg)) {
        io.out.write(`Revoked ingest token ${arg}.\n`);
        return 0;
      }
      io.err.write(`leak tokens: no active token with id or prefix '${arg}'\n`);
      return 1;
    }
    case undefined:
      throw new UsageError('expected a subcommand: create, list or revoke');
    default:
      throw new UsageError(`unknown subcommand '${sub}'`);
  }
}
