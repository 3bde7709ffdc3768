import type { JobKind } from './outbox/ports.ts';

/**
 * What the bot tells whoever watches it (issue 13 item 8): the figures behind its own metrics, as events.
 * A port, so that the layers that see an event report it without knowing Prometheus; adapters/metrics
 * implements it and composition/observability.ts wires it in, mostly by wrapping use cases and ports at
 * their boundary (a delivery is seen as the job queue settling a job, a scan as the scan use case
 * returning) so no use case carries a hook. Every argument becomes a metric label or value: they are
 * closed sets or names the code chose (job kinds, scheduled job names), never user data.
 */
export type DeliveryOutcome = 'delivered' | 'retried' | 'failed';
/** The ingest signals: OTLP logs, metrics and traces, the plain event batch, store webhooks. */
export type IngestSignal = 'logs' | 'metrics' | 'traces' | 'events' | 'webhooks';
/** `backfill`: a scan as of an earlier instant than the newest, which reconciles no findings. */
export type ScanResult = 'ok' | 'backfill' | 'failed';
export type RunOutcome = 'ok' | 'failed';

export interface Observer {
  /** The outbox settled one job of `kind`: delivered, deferred for a retry, or failed permanently. */
  delivery(kind: JobKind, outcome: DeliveryOutcome): void;
  /**
   * Items of one ingest request or call: how many were taken, how many refused (malformed, outside the
   * event window), and how many were repeats of items already taken (a webhook delivery a store sent
   * again: answered, stored once).
   */
  ingested(signal: IngestSignal, accepted: number, rejected: number, duplicate?: number): void;
  /** One scan of this process (a Slack command, the schedule) and how long it took. */
  scan(durationMs: number, outcome: ScanResult): void;
  /** One run of a scheduled job that this process claimed and ran; `atMs` is when it ended (wall clock). */
  jobRun(job: string, outcome: RunOutcome, atMs: number): void;
}

/** Watches nothing: the default where nobody scrapes (the CLI, tests). */
export const noObserver: Observer = {
  delivery() {},
  ingested() {},
  scan() {},
  jobRun() {},
};
