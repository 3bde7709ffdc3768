import type { StoredDelivery } from '../app/commerce/ports.ts';
import type { Ctx } from '../app/context.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { type Io, parse, UsageError, when, writeListing } from './common.ts';

/** `leak webhooks failed` and `leak webhooks replay <id>`: deliveries the parser could not read. */

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Sources, topics and reasons come from senders: one line, no terminal escapes, cut. */
const clean = (raw: string, max: number): string => {
  const s = raw.replace(CONTROL, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** A delivery as listed: never its body (it holds what the sender sent, emails hashed but still data). */
const listed = (d: StoredDelivery) => ({
  id: d.id,
  source: d.source,
  topic: d.topic,
  deliveryId: d.deliveryId,
  receivedAtMs: d.receivedAtMs,
  attempts: d.attempts,
  error: d.error,
});

function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const v = /^\d{1,4}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(v >= 1 && v <= MAX_LIMIT))
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return v;
}

export async function webhooksCommand(uc: UseCases, ctx: Ctx, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    source: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [sub, arg, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  switch (sub) {
    case 'failed': {
      if (arg !== undefined) throw new UsageError(`unexpected argument '${arg}'`);
      const source = values.source?.trim().toLowerCase();
      const failed = await uc.commerce.failed(limitOf(values.limit), source || undefined);
      writeListing(io, failed.map(listed), {
        json: values.json === true,
        empty: source ? `No failed deliveries from ${clean(source, 40)}.` : 'No failed deliveries.',
        header: ['ID', 'SOURCE', 'TOPIC', 'RECEIVED', 'ATTEMPTS', 'REASON'],
        row: (d) => [
          d.id,
          clean(d.source, 40),
          clean(d.topic || '(none)', 40),
          when(d.receivedAtMs),
          String(d.attempts),
          clean(d.error ?? '', 200),
        ],
      });
      return 0;
    }
    case 'replay': {
      if (values.source !== undefined || values.limit !== undefined || values.json)
        throw new UsageError('replay takes only a delivery id');
      if (arg === undefined) throw new UsageError('expected a delivery id (see leak webhooks failed)');
      return replay(uc, ctx, arg.trim(), io);
    }
    case undefined:
      throw new UsageError('expected a subcommand: failed or replay');
    default:
      throw new UsageError(`unknown subcommand '${sub}'`);
  }
}

/** Replays one delivery and says what it became; 1 when it failed again or could not be replayed. */
async function replay(uc: UseCases, ctx: Ctx, id: string, io: Io): Promise<number> {
  const { delivery: d, outcome } = await uc.commerce.replay(ctx, id);
  const shownId = clean(id, 40);
  if (d === null) {
    io.err.write(`leak webhooks: no delivery with id '${shownId}' (see leak webhooks failed)\n`);
    return 1;
  }
  const what = `Delivery ${d.id} (${clean(d.source, 40)} ${clean(d.topic || '(no topic)', 40)})`;
  switch (outcome) {
    case 'not_replayable':
      io.err.write(
        `leak webhooks: delivery ${d.id} is ${d.status}, not failed: only a failed (or ignored) delivery is replayed\n`,
      );
      return 1;
    case 'parsed':
      io.out.write(`${what} parsed: its ledger changes are written.\n`);
      return 0;
    case 'ignored':
      io.out.write(`${what} ignored: ${clean(d.error ?? 'it moves no money', 200)}\n`);
      return 0;
    case 'failed':
      io.err.write(`${what} failed again: ${clean(d.error ?? 'no reason recorded', 300)}\n`);
      return 1;
    case 'received':
      // Another parser (a running server) claimed it first; it parses it now.
      io.out.write(`${what} is queued again; a running server is parsing it (check leak webhooks failed).\n`);
      return 0;
  }
}
