import { parseIsoInstant } from '../../../shared/time.ts';

/**
 * `/leak` grammar, parsed without Slack or I/O so it is table-testable:
 *   (empty) | help | scan [as-of <ISO> | --as-of <ISO> | --as-of=<ISO>]
 * Subcommands are case-insensitive; the time must carry a zone (shared/time.ts).
 */
export type LeakCommand =
  | { kind: 'help' }
  | { kind: 'scan'; asOfMs?: number }
  | { kind: 'unknown'; word: string }
  | { kind: 'invalid'; reason: 'as_of_missing' | 'as_of_invalid' | 'unexpected_argument'; token: string };

export function parseLeakCommand(text: string): LeakCommand {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [sub, ...args] = words;
  if (sub === undefined || sub.toLowerCase() === 'help') return { kind: 'help' };
  if (sub.toLowerCase() !== 'scan') return { kind: 'unknown', word: sub };
  if (args.length === 0) return { kind: 'scan' };

  const [flag, ...rest] = args as [string, ...string[]];
  let value: string | undefined;
  let extra: string[];
  const lower = flag.toLowerCase();
  if (lower === 'as-of' || lower === '--as-of') {
    value = rest[0];
    extra = rest.slice(1);
  } else if (lower.startsWith('--as-of=')) {
    value = flag.slice('--as-of='.length);
    extra = rest;
  } else {
    return { kind: 'invalid', reason: 'unexpected_argument', token: flag };
  }
  if (value === undefined || value === '') return { kind: 'invalid', reason: 'as_of_missing', token: flag };
  const asOfMs = parseIsoInstant(value);
  if (asOfMs === null) return { kind: 'invalid', reason: 'as_of_invalid', token: value };
  if (extra[0] !== undefined) return { kind: 'invalid', reason: 'unexpected_argument', token: extra[0] };
  return { kind: 'scan', asOfMs };
}
