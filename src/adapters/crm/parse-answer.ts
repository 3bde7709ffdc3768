import type { z } from 'zod';
import { CrmError } from '../../app/crm/ports.ts';

/**
 * A CRM's answer parser: the parsed body, or a `bad_response` CrmError naming the CRM, the endpoint and the
 * first field that did not fit (the sync or the write-back fails with it, never with a TypeError later).
 */
export function answerParser(crm: string) {
  return <T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> => {
    const r = schema.safeParse(body);
    if (r.success) return r.data;
    const i = r.error.issues[0]!;
    throw new CrmError(
      'bad_response',
      `${crm}'s answer to ${what} has an unexpected shape at ${i.path.join('.') || '(body)'}: ${i.message}`,
    );
  };
}
