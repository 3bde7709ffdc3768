/**
 * mrkdwn helpers. Slack treats `<…>` as control sequences (`<!channel>`, `<@U123>`, `<https://x|forged>`), so
 * every data-derived string passes through `escapeMrkdwn` before it is placed in mrkdwn text (SLACK.md).
 * Only `&`, `<` and `>` are escaped: Slack documents exactly these three, and escaping `*` or `_` would show
 * the backslashes literally.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Truncates to at most `max` code points (never splitting a surrogate pair), ending in an ellipsis when cut.
 * Applied to RAW text before escaping, so an entity such as `&amp;` can never be cut in half.
 */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  // Fast path: UTF-16 length is an upper bound on the code-point count.
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 1).join('')}…`;
}

/** Collapses newlines, tabs and other control characters so one record stays on one line. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

/** The one call sites use for record-derived text: one line, truncated, then escaped. */
export const safeText = (text: string, max: number): string => escapeMrkdwn(truncate(oneLine(text), max));

/**
 * For text shown inside an inline code span: a backtick would close the span early, so it is replaced by a
 * look-alike (U+02CB) rather than escaped (mrkdwn has no escape for it).
 */
export const safeCode = (text: string, max: number): string => safeText(text, max).replace(/`/g, 'ˋ');
