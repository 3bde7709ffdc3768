import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerParser } from '../../../src/adapters/crm/parse-answer.ts';
import { CrmError } from '../../../src/app/crm/ports.ts';

describe('answerParser', () => {
  const parse = answerParser('HubSpot');
  const schema = z.object({ results: z.array(z.object({ id: z.string() })) });

  it('returns the parsed answer', () => {
    expect(parse(schema, { results: [{ id: '1' }], extra: true }, 'GET /x')).toEqual({
      results: [{ id: '1' }],
    });
  });

  it('fails as bad_response naming the CRM, the endpoint and the first field that did not fit', () => {
    let err: unknown;
    try {
      parse(schema, { results: [{ id: 1 }] }, 'POST /crm/v3/objects/deals/batch/read');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).kind).toBe('bad_response');
    expect((err as Error).message).toMatch(
      /^HubSpot's answer to POST \/crm\/v3\/objects\/deals\/batch\/read has an unexpected shape at results\.0\.id: /,
    );
    expect(() => parse(schema, 'not json', 'GET /y')).toThrow(/unexpected shape at \(body\)/);
  });
});
