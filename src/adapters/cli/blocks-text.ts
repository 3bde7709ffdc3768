/**
 * Renders Block Kit JSON as terminal text, so `leak demo` prints exactly what the Slack message holds
 * (the same blocks, not a second hand-written summary). Structural types only: any block JSON works.
 */
interface TextObj {
  type: string;
  text: string;
}
interface BlockLike {
  type: string;
  text?: TextObj;
  fields?: TextObj[];
  elements?: Array<{ type: string; text?: TextObj | string; value?: string }>;
}

/** The emoji shortcodes the renderers use, as the characters Slack shows for them. */
const EMOJI: Record<string, string> = {
  red_circle: '🔴',
  white_circle: '⚪',
  arrow_up_small: '🔼',
  arrow_down_small: '🔽',
  ticket: '🎫',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_blue_circle: '🔵',
  white_check_mark: '✅',
  rotating_light: '🚨',
  warning: '⚠️',
  new: '🆕',
  eyes: '👀',
  repeat: '🔁',
  mag: '🔍',
  bust_in_silhouette: '👤',
  x: '❌',
  pager: '📟',
  memo: '📝',
  grey_question: '❔',
  arrows_counterclockwise: '🔄',
  arrow_double_up: '⏫',
  stopwatch: '⏱️',
  wrench: '🔧',
  hammer_and_wrench: '🛠️',
  rocket: '🚀',
  speech_balloon: '💬',
  email: '📧',
  ballot_box_with_check: '☑️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  busts_in_silhouette: '👥',
  information_source: 'ℹ️',
  leftwards_arrow_with_hook: '↩️',
  lock: '🔒',
  moneybag: '💰',
  no_entry_sign: '🚫',
  rewind: '⏪',
};

/** mrkdwn → terminal: bold to ANSI bold (when colour is on), links to their label, entities decoded. */
export function mrkdwnToText(s: string, color: boolean): string {
  return (
    s
      .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
      .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
      .replace(/<(https?:[^>]+)>/g, '$1')
      // Mentions and channel links without a label: Slack shows names; offline, the ids are what we have.
      .replace(/<#([A-Z0-9]+)>/g, '#$1')
      .replace(/<@([A-Z0-9]+)>/g, '@$1')
      .replace(/<!subteam\^([A-Z0-9]+)>/g, '@$1')
      .replace(/\*([^*\n]+)\*/g, (_, b: string) => (color ? `\u001b[1m${b}\u001b[22m` : b))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  );
}

export function blocksToText(
  blocks: readonly BlockLike[],
  opts: { color?: boolean; width?: number } = {},
): string {
  const color = opts.color ?? false;
  const width = opts.width ?? 78;
  const txt = (t: TextObj | string | undefined) =>
    t === undefined ? '' : mrkdwnToText(typeof t === 'string' ? t : t.text, color);
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'header': {
        const h = txt(b.text);
        out.push(color ? `\u001b[1m${h}\u001b[22m` : h, '═'.repeat(Math.min(width, Math.max(h.length, 10))));
        break;
      }
      case 'divider':
        out.push('─'.repeat(width));
        break;
      case 'section':
        if (b.text) out.push(txt(b.text));
        if (b.fields) {
          const cells = b.fields.map((f) => txt(f).split('\n'));
          for (let i = 0; i < cells.length; i += 2) {
            const left = cells[i] ?? [];
            const right = cells[i + 1] ?? [];
            const rows = Math.max(left.length, right.length);
            for (let r = 0; r < rows; r++)
              out.push(`${(left[r] ?? '').padEnd(38)}  ${right[r] ?? ''}`.trimEnd());
          }
        }
        break;
      case 'context':
        out.push((b.elements ?? []).map((e) => txt(e.text)).join('  ·  '));
        break;
      case 'actions':
        out.push((b.elements ?? []).map((e) => `[ ${txt(e.text)} ]`).join(' '));
        break;
      default:
        break;
    }
  }
  return out.join('\n');
}
