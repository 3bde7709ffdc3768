/** Reading Web API requests and writing answers the way Slack does; shared by the fake's method tables. */

/** Who the fake says the bot is (auth.test), and the author of everything the bot posts. */
export const FAKE_BOT = {
  user_id: 'UBOT0001',
  bot_id: 'BBOT0001',
  team_id: 'T0001',
  team: 'Test Team',
  user: 'leakbot',
};
export const FAKE_APP_ID = 'A0001';

/** A Web API answer: `ok: false` with `error` for a platform error (still HTTP 200, as Slack does). */
export type Answer = Record<string, unknown> & { ok: boolean };
export type Handler = (body: Record<string, unknown>) => Answer;

export const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({
  ok: false,
  error,
  ...extra,
});

/** Form fields arrive as strings; JSON bodies may carry real values. */
export const str = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
};
export const flag = (body: Record<string, unknown>, key: string): boolean =>
  body[key] === true || body[key] === 'true' || body[key] === '1';
/** A structured field (blocks, metadata, view): the WebClient sends it as a JSON string inside the form. */
export function structured(body: Record<string, unknown>, key: string): { value?: unknown; bad?: true } {
  const v = body[key];
  if (v === undefined || v === null || v === '') return {};
  if (typeof v !== 'string') return { value: v };
  try {
    return { value: JSON.parse(v) };
  } catch {
    return { bad: true };
  }
}

/** Opaque cursors like Slack's (base64), carrying an offset into a stable ordering. */
const cursorAt = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64');
function offsetOf(cursor: string | undefined): number | null {
  if (!cursor) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m ? Number(m[1]) : null;
}
export function pageOf<T>(
  items: readonly T[],
  body: Record<string, unknown>,
  defaultLimit: number,
): { page: T[]; next: string } | null {
  const from = offsetOf(str(body, 'cursor'));
  if (from === null) return null;
  const limit = Math.max(1, Math.min(Number(str(body, 'limit') ?? defaultLimit) || defaultLimit, 1000));
  const page = items.slice(from, from + limit);
  return { page, next: from + limit < items.length ? cursorAt(from + limit) : '' };
}
