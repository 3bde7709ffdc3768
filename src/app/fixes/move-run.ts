import type { FixRun } from '../../domain/fixpacks/run.ts';
import { type FixRunEvent, type FixRunState, fixTransition } from '../../domain/fixpacks/run.ts';
import type { FixRunPatch, FixTx } from './ports.ts';

/**
 * A fix run moves only as FIX_RUN_TRANSITIONS allows (domain/fixpacks/run.ts): the domain names the state
 * that `event` leads to from `from`, and the store writes it conditionally on the run still being in
 * `from`. Null when someone else moved the run first (fifty clicks, one move). An event the table forbids
 * from `from` is a bug in the caller, not a race, so it throws.
 */
export async function moveRun(
  tx: FixTx,
  runId: string,
  from: FixRunState,
  event: FixRunEvent,
  patch: Omit<FixRunPatch, 'state'> = {},
): Promise<FixRun | null> {
  const t = fixTransition(from, event);
  if (!t.ok) throw new Error(`fix run ${runId}: ${t.reason}`);
  return tx.updateRun(runId, [t.from], { ...patch, state: t.to });
}
