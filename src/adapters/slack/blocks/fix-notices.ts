import type { OutboundMessage } from '../../../app/outbox/ports.ts';
import { type Rendered, section } from './kit.ts';
import { safeCode, safeText } from './mrkdwn.ts';

/**
 * The correction a rolled-back fix sends to an owner it DMed or a channel it posted to (pure). Short on
 * purpose: what was said before no longer holds, the tasks are cancelled, there is nothing to do. Record
 * ids and the title are data, so escaped like any other.
 */
const RECORDS_SHOWN = 5;

export function renderFixRollbackNotice(
  m: Extract<OutboundMessage, { kind: 'fix_rollback_notice' }>,
): Rendered {
  const shown = m.recordIds.slice(0, RECORDS_SHOWN).map((id) => `\`${safeCode(id, 60)}\``);
  const more = m.recordIds.length > RECORDS_SHOWN ? ` +${m.recordIds.length - RECORDS_SHOWN} more` : '';
  const text =
    `:leftwards_arrow_with_hook: Fix #${safeText(m.runId, 20)} (${safeText(m.title, 120)}) was rolled back: ` +
    `its tasks are cancelled and there is nothing to do for ${shown.join(', ')}${more}. ` +
    'Please disregard the earlier message about it.';
  return { text, blocks: [section(text)] };
}
