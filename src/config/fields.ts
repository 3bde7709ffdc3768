import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { parseDollarsToCents } from '../shared/money.ts';

/** Field builders of the environment schema (schema.ts): each one treats a blank value as unset. */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
export const optionalString = z.preprocess(blankToUndefined, z.string().optional());
export const num = (def: number, check: (n: z.ZodNumber) => z.ZodNumber) =>
  z.preprocess(blankToUndefined, check(z.coerce.number()).default(def));

export const slackId = (prefix: RegExp, example: string) =>
  z.preprocess(blankToUndefined, z.string().regex(prefix, `must be a Slack id like ${example}`).optional());
export const userIds = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('')
    .transform((s, ctx) => {
      const ids = s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const bad = ids.filter((x) => !/^[UW][A-Z0-9]+$/.test(x));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `not Slack user ids (U…): ${bad.join(', ')}` });
        return z.NEVER;
      }
      return ids;
    }),
);
/**
 * A schedule, checked with node-cron's own validator: an expression the scheduler would refuse is listed
 * here with every other problem, before any socket opens, instead of failing once everything is connected.
 */
export const cron = (def: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(def)
      .superRefine((expr, ctx) => {
        const v = validateDetailed(expr);
        if (!v.valid)
          ctx.addIssue({
            code: 'custom',
            message: `"${expr}" is not a cron expression (${v.errors.map((e) => e.message).join('; ')}); e.g. */15 * * * *`,
          });
      }),
  );
export const bool = (def: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  );
/** A positive dollar amount in cents, or undefined when unset (a threshold that is off by default). */
export const optionalDollars = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      const c = parseDollarsToCents(s);
      if (c === null || c === 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive dollar amount, e.g. 500000' });
        return z.NEVER;
      }
      return c;
    }),
);
export const dollars = z.preprocess(
  blankToUndefined,
  z
    .string()
    .default('50000')
    .transform((s, ctx) => {
      const c = parseDollarsToCents(s);
      if (c === null || c === 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive dollar amount, e.g. 50000' });
        return z.NEVER;
      }
      return c;
    }),
);

export const list = (s: string, sep = ','): string[] =>
  s
    .split(sep)
    .map((x) => x.trim())
    .filter((x) => x !== '');
