import type { types } from '@slack/bolt';

/** Block Kit types, taken through @slack/bolt (a direct dependency) rather than the transitive @slack/types. */
export type KnownBlock = types.KnownBlock;
export type SectionBlock = types.SectionBlock;
export type ContextBlock = types.ContextBlock;
