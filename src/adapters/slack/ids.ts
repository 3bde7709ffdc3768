/**
 * Every action_id the bot puts on a button is built and parsed here (ARCHITECTURE.md), so a listener and a
 * renderer cannot drift apart. Button values are echoed back by Slack from a message anyone in the channel
 * could have been shown, so the parser trusts nothing: an unknown id or a malformed value is `null`.
 */
export const ACTIONS = {
  ack: 'incident.ack',
  rescan: 'incident.rescan',
  resolve: 'incident.resolve',
} as const;

export type IncidentAction = keyof typeof ACTIONS;

const BY_ID = new Map<string, IncidentAction>(
  (Object.entries(ACTIONS) as [IncidentAction, string][]).map(([action, id]) => [id, action]),
);

/** Incident ids are bigserial: a positive integer that fits a signed 64-bit column. */
const POSITIVE_INT = /^[1-9][0-9]{0,18}$/;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

const isIncidentId = (v: string): boolean => POSITIVE_INT.test(v) && BigInt(v) <= BIGINT_MAX;

/** The button value for an incident. Throws on an id that could never parse back: that is a bug upstream. */
export function incidentButtonValue(incidentId: string): string {
  if (!isIncidentId(incidentId)) throw new Error(`not an incident id: ${JSON.stringify(incidentId)}`);
  return incidentId;
}

export function parseIncidentAction(
  actionId: string,
  value: string | undefined | null,
): { action: IncidentAction; incidentId: string } | null {
  const action = BY_ID.get(actionId);
  if (action === undefined || typeof value !== 'string' || !isIncidentId(value)) return null;
  return { action, incidentId: value };
}
