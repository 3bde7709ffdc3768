import { describe, expect, it } from 'vitest';
import { defaultPack, FIX_PACK_IDS } from '../../../src/domain/fixpacks/catalog.ts';
import { parseFixPack, parseFixPackText } from '../../../src/domain/fixpacks/parse.ts';

const pack = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: 1,
  id: 'my_pack',
  title: 'My pack',
  steps: [{ type: 'archive_record' }],
  verify: { kind: 'one_active_per_domain' },
  ...overrides,
});
const withSteps = (...steps: unknown[]) => pack({ steps });

const errorsOf = (input: unknown): string[] => {
  const r = parseFixPack(input);
  if (r.ok) throw new Error('expected the pack to be rejected');
  return r.errors;
};

const STEP_TYPE_LIST =
  'set_field, append_notes, assign_owner, create_task, notify, draft_email, merge_duplicates, archive_record, region_from_peers';

describe('parseFixPack: every step type', () => {
  it.each([
    [{ type: 'set_field', field: 'stage', value: 'Qualified' }],
    [{ type: 'append_notes', text: 'Touched by {owner}' }],
    [{ type: 'assign_owner', strategy: 'round_robin' }],
    [{ type: 'assign_owner', strategy: 'named', owner: 'alice' }],
    [{ type: 'create_task', title: 'Call {name}', due_in_minutes: 30 }],
    [{ type: 'notify', to: 'owner', text: 'Hi' }],
    [{ type: 'notify', to: 'manager_channel', text: 'Hi', min_value_usd: 5000 }],
    [{ type: 'notify', to: 'C0123ABCD', text: 'Hi' }],
    [{ type: 'draft_email', to: 'contact', subject: 'Hello', body: 'Hi {name}' }],
    [{ type: 'merge_duplicates' }],
    [{ type: 'archive_record' }],
    [{ type: 'region_from_peers' }],
  ])('%o parses', (step) => {
    const r = parseFixPack(withSteps(step));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.pack.steps[0]).toMatchObject(step);
  });

  it('fills the defaults', () => {
    const r = parseFixPack(
      withSteps(
        { type: 'set_field', field: 'next_step', value: 'x' },
        { type: 'assign_owner', strategy: 'round_robin' },
        { type: 'create_task', title: 'Call', due_in_minutes: 10 },
      ),
    );
    expect(r).toEqual({
      ok: true,
      pack: expect.objectContaining({
        steps: [
          // Safe by default (issue 10 item 2): a field that holds a value is kept unless the pack says so.
          { type: 'set_field', field: 'next_step', value: 'x', only_if_empty: true },
          { type: 'assign_owner', strategy: 'round_robin', only_if_empty: true },
          {
            type: 'create_task',
            title: 'Call',
            due_in_minutes: 10,
            assignee: 'record_owner',
            priority: 'normal',
          },
        ],
      }),
    });
  });

  it.each(['field_present', 'touched_within', 'one_active_per_domain'])('verify %s parses', (kind) => {
    const verify =
      kind === 'field_present'
        ? { kind, field: 'owner' }
        : kind === 'touched_within'
          ? { kind, minutes: 5 }
          : { kind };
    expect(parseFixPack(pack({ verify })).ok).toBe(true);
  });
});

describe('parseFixPack: readable rejections', () => {
  it('an unknown step type names it and the allowed ones', () => {
    const errors = errorsOf(
      withSteps({ type: 'archive_record' }, { type: 'merge_duplicates' }, { type: 'frobnicate' }),
    );
    expect(errors).toEqual([
      `steps[2].type: unknown step type "frobnicate" (expected one of ${STEP_TYPE_LIST})`,
    ]);
  });

  it('a step without a type', () => {
    expect(errorsOf(withSteps({ field: 'owner' }))).toEqual([
      `steps[0].type: missing step type (expected one of ${STEP_TYPE_LIST})`,
    ]);
  });

  it('an unknown field on a step', () => {
    expect(errorsOf(withSteps({ type: 'archive_record', colour: 'red' }))).toEqual([
      'steps[0]: unknown field "colour"',
    ]);
    expect(errorsOf(withSteps({ type: 'merge_duplicates', a: 1, b: 2 }))).toEqual([
      'steps[0]: unknown fields "a", "b"',
    ]);
  });

  it('an unknown top-level field', () => {
    expect(errorsOf(pack({ author: 'me' }))).toEqual(['fix pack: unknown field "author"']);
  });

  it('a version other than 1', () => {
    expect(errorsOf(pack({ version: 2 }))).toEqual(['version: only version 1 is supported']);
    expect(errorsOf(pack({ version: '1' }))).toEqual(['version: only version 1 is supported']);
    const { version: _, ...noVersion } = pack();
    expect(errorsOf(noVersion)).toEqual(['version: missing (only version 1 is supported)']);
  });

  it('a named assignment without an owner', () => {
    expect(
      errorsOf(withSteps({ type: 'archive_record' }, { type: 'assign_owner', strategy: 'named' })),
    ).toEqual(['steps[1].owner: a named assignment needs an owner']);
    expect(errorsOf(withSteps({ type: 'assign_owner', strategy: 'round_robin', owner: 'bob' }))).toEqual([
      'steps[0].owner: round_robin takes no owner',
    ]);
  });

  it('a field a fix pack may not change', () => {
    expect(
      errorsOf(withSteps({ type: 'archive_record' }, { type: 'set_field', field: 'email', value: 'x@y.z' })),
    ).toEqual([
      'steps[1].field: "email" is not a field a fix pack may change (owner, stage, next_step, region)',
    ]);
    expect(errorsOf(pack({ verify: { kind: 'field_present', field: 'notes' } }))).toEqual([
      'verify.field: "notes" is not a field a fix pack may change (owner, stage, next_step, region)',
    ]);
  });

  it('an unknown verify kind', () => {
    expect(errorsOf(pack({ verify: { kind: 'vibes' } }))).toEqual([
      'verify.kind: unknown verify kind "vibes" (expected one of field_present, touched_within, one_active_per_domain)',
    ]);
  });

  it('other mistakes, one sentence each', () => {
    expect(errorsOf(pack({ id: 'Bad-Id', title: ' ', steps: [] }))).toEqual([
      'id: "Bad-Id" is not a valid id (1 to 64 lowercase letters, digits and _)',
      'title: must not be empty',
      'steps: needs at least 1 step',
    ]);
    expect(errorsOf(pack({ steps: Array.from({ length: 21 }, () => ({ type: 'archive_record' })) }))).toEqual(
      ['steps: allows at most 20 steps'],
    );
    expect(
      errorsOf(
        withSteps(
          { type: 'notify', to: 'everyone', text: 'x' },
          { type: 'notify', to: 7, text: 'x' },
          { type: 'create_task', title: 'x', due_in_minutes: 0 },
          { type: 'create_task', title: 'x', due_in_minutes: 1.5 },
          { type: 'assign_owner', strategy: 'random' },
          'archive_record',
        ),
      ),
    ).toEqual([
      'steps[0].to: "everyone" is not a notification target (expected owner, manager_channel or a Slack channel id such as C0123ABCD)',
      'steps[1].to: 7 is not a notification target (expected owner, manager_channel or a Slack channel id such as C0123ABCD)',
      'steps[2].due_in_minutes: must be greater than 0',
      'steps[3].due_in_minutes: expected a whole number, got 1.5',
      'steps[4].strategy: "random" is not allowed (expected one of round_robin, named)',
      'steps[5]: expected an object, got "archive_record"',
    ]);
    expect(errorsOf(withSteps({ type: 'set_field', field: 'stage' }))).toEqual([
      'steps[0].value: missing (expected text)',
    ]);
  });

  it('something that is not a pack at all', () => {
    expect(errorsOf('hello')).toEqual(['fix pack: expected an object, got "hello"']);
    expect(errorsOf(null)).toEqual(['fix pack: expected an object, got null']);
    expect(errorsOf([])).toEqual(['fix pack: expected an object, got a list']);
  });
});

describe('parseFixPackText', () => {
  it('parses JSON text', () => {
    expect(parseFixPackText(JSON.stringify(pack()))).toMatchObject({ ok: true, pack: { id: 'my_pack' } });
  });

  it('malformed or empty text is an error, not a throw', () => {
    const r = parseFixPackText('{"version": 1,');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^fix pack: not valid JSON \(/);
    expect(parseFixPackText('  ')).toEqual({ ok: false, errors: ['fix pack: the text is empty'] });
  });

  it('a valid JSON document that is a bad pack reports the pack errors', () => {
    expect(parseFixPackText('{"version": 3}')).toMatchObject({
      ok: false,
      errors: expect.arrayContaining(['version: only version 1 is supported', 'id: missing (expected text)']),
    });
  });
});

describe('the default catalog', () => {
  it.each(FIX_PACK_IDS)('%s round-trips through parseFixPack unchanged', (id) => {
    const p = defaultPack(id);
    expect(parseFixPack(p)).toEqual({ ok: true, pack: p });
    expect(parseFixPackText(JSON.stringify(p))).toEqual({ ok: true, pack: p });
  });
});
