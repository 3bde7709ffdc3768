import type { KnownBlock } from './types.ts';

/** Block Kit limits for messages (SLACK.md "Block Kit limits"). */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  /**
   * Documented nowhere, observed: messages whose block JSON exceeded ~13,000 characters failed with
   * `msg_blocks_too_long` below every documented limit. Renderers budget against this lower figure.
   */
  blocksJsonBudget: 10_000,
} as const;

const textOf = (t: unknown): string =>
  t && typeof t === 'object' && 'text' in t && typeof t.text === 'string' ? t.text : '';

/**
 * Every limit a message breaks, as readable strings (empty when it is within limits). Renderers build
 * within limits by construction; this is the independent check their tests (and any future renderer) use.
 */
export function limitViolations(message: { text: string; blocks: readonly KnownBlock[] }): string[] {
  const out: string[] = [];
  const { blocks } = message;
  if (message.text.trim() === '') out.push('top-level text fallback is empty');
  if (blocks.length > LIMITS.blocksPerMessage)
    out.push(`${blocks.length} blocks > ${LIMITS.blocksPerMessage}`);
  const json = JSON.stringify(blocks).length;
  if (json > LIMITS.blocksJsonBudget) out.push(`block JSON ${json} chars > ${LIMITS.blocksJsonBudget}`);
  blocks.forEach((b, i) => {
    switch (b.type) {
      case 'header': {
        const n = textOf(b.text).length;
        if (n > LIMITS.headerText) out.push(`block ${i}: header ${n} chars > ${LIMITS.headerText}`);
        break;
      }
      case 'section': {
        const n = textOf(b.text).length;
        if (n > LIMITS.sectionText) out.push(`block ${i}: section text ${n} chars > ${LIMITS.sectionText}`);
        const fields = b.fields ?? [];
        if (fields.length > LIMITS.fieldsPerSection)
          out.push(`block ${i}: ${fields.length} fields > ${LIMITS.fieldsPerSection}`);
        fields.forEach((f, j) => {
          if (f.text.length > LIMITS.fieldText)
            out.push(`block ${i} field ${j}: ${f.text.length} chars > ${LIMITS.fieldText}`);
        });
        if (!b.text && fields.length === 0) out.push(`block ${i}: section has neither text nor fields`);
        break;
      }
      case 'context':
        if (b.elements.length > LIMITS.contextElements)
          out.push(`block ${i}: ${b.elements.length} context elements > ${LIMITS.contextElements}`);
        break;
      default:
        break;
    }
  });
  return out;
}
