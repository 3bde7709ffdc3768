import { describe, expect, it } from 'vitest';
import { Rejections } from '../../../src/domain/telemetry/otlp-common.ts';
import { type OtlpShape, walkOtlp } from '../../../src/domain/telemetry/otlp-walk.ts';
import { isAppError } from '../../../src/shared/errors.ts';

const SHAPE: OtlpShape = {
  request: 'ExportSpansServiceRequest',
  resources: ['resourceSpans', 'ResourceSpans'],
  scopes: ['scopeSpans', 'ScopeSpans'],
  items: 'spans',
};

const resource = (service: string | null, scopeSpans: unknown) => ({
  ...(service === null
    ? {}
    : { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] } }),
  scopeSpans,
});

function walk(body: unknown) {
  const rej = new Rejections();
  const seen: [unknown, string, string, unknown][] = [];
  walkOtlp(body, SHAPE, rej, (item, where, ctx) => void seen.push([item, where, ctx.service, ctx.scope]));
  return { seen, rejected: rej.count, errors: rej.errors };
}

describe('walkOtlp', () => {
  it('hands every item its path, its resource’s service and its scope', () => {
    const out = walk({
      resourceSpans: [
        resource('checkout', [{ scope: { name: 'http' }, spans: ['a', 'b'] }, { spans: ['c'] }]),
        resource(null, [{ spans: ['d'] }]),
      ],
    });
    expect(out.seen).toEqual([
      ['a', 'resourceSpans[0].scopeSpans[0].spans[0]', 'checkout', { name: 'http' }],
      ['b', 'resourceSpans[0].scopeSpans[0].spans[1]', 'checkout', { name: 'http' }],
      ['c', 'resourceSpans[0].scopeSpans[1].spans[0]', 'checkout', undefined],
      ['d', 'resourceSpans[1].scopeSpans[0].spans[0]', 'unknown_service', undefined],
    ]);
    expect(out.rejected).toBe(0);
  });

  it.each([
    { body: {}, errors: [] },
    { body: { resourceSpans: null }, errors: [] },
    { body: { resourceSpans: [7] }, errors: ['resourceSpans[0]: expected a ResourceSpans object'] },
    {
      body: { resourceSpans: [{ scopeSpans: 'x' }] },
      errors: ['resourceSpans[0]: scopeSpans: expected an array'],
    },
    {
      body: { resourceSpans: [resource('s', [null])] },
      errors: ['resourceSpans[0].scopeSpans[0]: expected a ScopeSpans object'],
    },
    {
      body: { resourceSpans: [resource('s', [{ spans: {} }])] },
      errors: ['resourceSpans[0].scopeSpans[0]: spans: expected an array'],
    },
  ])('a malformed container is reported but counts 0: $body', ({ body, errors }) => {
    const out = walk(body);
    expect(out.seen).toEqual([]);
    expect(out.rejected).toBe(0);
    expect(out.errors).toEqual(errors);
  });

  it.each([null, [], 'x', { resourceSpans: {} }])('refuses a body that is not the request: %j', (body) => {
    let err: unknown;
    try {
      walk(body);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('VALIDATION');
  });
});
