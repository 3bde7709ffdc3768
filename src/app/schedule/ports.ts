/**
 * What scheduled jobs need from the outside world so that "one fire runs once" across replicas.
 * The database adapter implements it (adapters/db/coordinator.ts); the scheduler adapter only sees this.
 */

/** 'ran': `fn` ran here (it may have failed). The other two mean `fn` did not run here. */
export type RunOnceOutcome = 'ran' | 'claimed_elsewhere' | 'busy';

export interface RunCoordinator {
  /**
   * Runs `fn` only if no replica has claimed (job, slot) and no run of `job` is still going anywhere.
   * `slotMs` is the fire time the run belongs to; it is truncated to the second, so replicas whose timers
   * fire a few milliseconds apart claim the same slot. 'claimed_elsewhere': the slot was already claimed
   * (by another replica, or by an earlier run here). 'busy': a run of `job` is still going.
   * `fn` errors propagate after the run is recorded as failed.
   */
  runOnce(job: string, slotMs: number, fn: () => Promise<void>): Promise<RunOnceOutcome>;
}
