import { z } from 'zod';

/**
 * Fix packs are data (DOMAIN.md §5): a versioned list of typed steps, validated here. An unknown step
 * type or field is rejected with a message naming it; nothing in a pack is code.
 *
 * Text fields may use placeholders filled from the record: {id} {name} {company} {owner} {stage} {value}.
 */
export const EDITABLE_FIELDS = ['owner', 'stage', 'next_step', 'region'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
/** Fields a plan may change: the editable ones, and notes (append only). */
export type ChangedField = EditableField | 'notes';

const text = (max: number) => z.string().trim().min(1).max(max);

export const setFieldStep = z.strictObject({
  type: z.literal('set_field'),
  field: z.enum(EDITABLE_FIELDS),
  value: z.string().max(500),
  /**
   * Leave a field that already holds a value alone (the plan records it as kept, and the preview says so).
   * On by default (issue 10 item 2): a pack overwrites real data only when it says `only_if_empty: false`.
   */
  only_if_empty: z.boolean().default(true),
});
export const appendNotesStep = z.strictObject({ type: z.literal('append_notes'), text: text(2000) });
export const assignOwnerStep = z.strictObject({
  type: z.literal('assign_owner'),
  /** round_robin over the configured pool (per region when configured), or one named owner. */
  strategy: z.enum(['round_robin', 'named']),
  owner: text(120).optional(),
  only_if_empty: z.boolean().default(true),
});
export const createTaskStep = z.strictObject({
  type: z.literal('create_task'),
  /** 'record_owner' (after the pack's own owner changes) or a named owner. */
  assignee: text(120).default('record_owner'),
  title: text(200),
  due_in_minutes: z
    .number()
    .int()
    .positive()
    .max(60 * 24 * 90),
  priority: z.enum(['high', 'normal']).default('normal'),
});
export const notifyStep = z.strictObject({
  type: z.literal('notify'),
  /** The owner's DM (through the configured owner → Slack user map), or a channel id. */
  to: z.union([z.literal('owner'), z.literal('manager_channel'), z.string().regex(/^[CG][A-Z0-9]+$/)]),
  text: text(1000),
  /** Only for records worth more than this (e.g. the manager channel for deals over $10,000). */
  min_value_usd: z.number().nonnegative().optional(),
});
export const draftEmailStep = z.strictObject({
  type: z.literal('draft_email'),
  to: z.enum(['contact', 'owner']),
  subject: text(200),
  body: text(5000),
});
export const mergeDuplicatesStep = z.strictObject({ type: z.literal('merge_duplicates') });
export const archiveRecordStep = z.strictObject({ type: z.literal('archive_record') });
/** fix_routing: take the region of another record of the same domain or company; else a review task. */
export const regionFromPeersStep = z.strictObject({ type: z.literal('region_from_peers') });

export const STEP_TYPES = [
  'set_field',
  'append_notes',
  'assign_owner',
  'create_task',
  'notify',
  'draft_email',
  'merge_duplicates',
  'archive_record',
  'region_from_peers',
] as const;

export const stepSchema = z.discriminatedUnion('type', [
  setFieldStep,
  appendNotesStep,
  assignOwnerStep,
  createTaskStep,
  notifyStep,
  draftEmailStep,
  mergeDuplicatesStep,
  archiveRecordStep,
  regionFromPeersStep,
]);
export type Step = z.infer<typeof stepSchema>;

export const verifySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('field_present'), field: z.enum(EDITABLE_FIELDS) }),
  /** Activity: last_touch_at moves after apply, within the window. */
  z.strictObject({ kind: z.literal('touched_within'), minutes: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('one_active_per_domain') }),
]);
export type VerifySpec = z.infer<typeof verifySchema>;

export const fixPackSchema = z
  .strictObject({
    version: z.literal(1),
    id: z.string().regex(/^[a-z0-9_]{1,64}$/, 'lowercase letters, digits and _ only'),
    title: text(120),
    steps: z.array(stepSchema).min(1).max(20),
    verify: verifySchema,
  })
  .superRefine((p, ctx) => {
    p.steps.forEach((s, i) => {
      if (s.type === 'assign_owner' && s.strategy === 'named' && !s.owner)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'owner'],
          message: 'a named assignment needs an owner',
        });
      if (s.type === 'assign_owner' && s.strategy === 'round_robin' && s.owner)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'owner'], message: 'round_robin takes no owner' });
    });
  });
export type FixPack = z.infer<typeof fixPackSchema>;
