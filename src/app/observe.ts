import type { JobKind } from './outbox/ports.ts';

/**
 * What the bot tells whoever watches it (issue 13 item 8): the figures behind its own metrics, as events.
 * A port, so that the layers that see an event report it without knowing Prometheus; adapters/metrics
 * implements it and composition/observability.ts wires it in, mostly by wrapping use cases and ports at
 * their boundary (a delivery is seen as the job queue settling a job, a scan as the scan use case
 * returning) so no use case carries a hook. Telemetry ingest is the exception: the HTTP route reports it
 * (adapters/http/ingest.ts), the one place that sees what it refuses as well as what it takes. Every
 * argument becomes a metric label or value: they are closed sets or names the code chose (job kinds,
 * scheduled job names, refusal reasons), never user data.
 */
export type DeliveryOutcome = 'delivered' | 'retried' | 'failed';
/** The ingest signals: OTLP logs, metrics and traces, the plain event batch, store webhooks. */
export type IngestSignal = 'logs' | 'metrics' | 'traces' | 'events' | 'webhooks';
/** The signals of the telemetry ingest routes (adapters/http/ingest.ts). */
export type TelemetrySignal = Exclude<IngestSignal, 'webhooks'>;
/**
 * Why an item (log record, data point, span, event) of a request that was answered was refused:
 * `malformed` (not a valid item: a missing time, a bad id, no temporality…), `too_old` (before the Bronze
 * retention window), `in_future` (ahead of the server's clock by more than the skew tolerated).
 */
export type ItemRejection = 'malformed' | 'too_old' | 'in_future';
export const ITEM_REJECTIONS: readonly ItemRejection[] = ['malformed', 'too_old', 'in_future'];
/** Items of one request or call, by outcome; `rejected` by reason. */
export interface IngestItems {
  accepted: number;
  rejected?: Partial<Record<ItemRejection, number>>;
  /** Repeats of items already taken (a webhook delivery a store sent again: answered, stored once). */
  duplicate?: number;
}
/**
 * Why a whole ingest request was refused: `unauthorized` (401), `method` (405), `content_type` (415: a
 * content type or coding not taken), `too_large` (413), `malformed` (400: bad gzip, JSON or protobuf, not
 * the request message), `unavailable` (503: storage or the token store failed; clients retry),
 * `aborted` (the client left before the answer).
 */
export type RequestRejection =
  | 'unauthorized'
  | 'method'
  | 'content_type'
  | 'too_large'
  | 'malformed'
  | 'unavailable'
  | 'aborted';
/** How an ingest request ended: all taken, some items refused (a partial success), or refused whole. */
export type IngestRequestOutcome = 'accepted' | 'partial' | { rejected: RequestRejection };
/** `backfill`: a scan as of an earlier instant than the newest, which reconciles no findings. */
export type ScanResult = 'ok' | 'backfill' | 'failed';
export type RunOutcome = 'ok' | 'failed';

export interface Observer {
  /** The outbox settled one job of `kind`: delivered, deferred for a retry, or failed permanently. */
  delivery(kind: JobKind, outcome: DeliveryOutcome): void;
  /**
   * Items of one answered ingest request or call: how many were taken (stored), how many refused and why,
   * how many were repeats. Items of a request refused whole are not known, hence not counted here.
   */
  ingested(signal: IngestSignal, items: IngestItems): void;
  /** One request to a telemetry ingest route, and how it ended. */
  ingestRequest(signal: TelemetrySignal, outcome: IngestRequestOutcome): void;
  /** One scan of this process (a Slack command, the schedule) and how long it took. */
  scan(durationMs: number, outcome: ScanResult): void;
  /** One run of a scheduled job that this process claimed and ran; `atMs` is when it ended (wall clock). */
  jobRun(job: string, outcome: RunOutcome, atMs: number): void;
}

/** Watches nothing: the default where nobody scrapes (the CLI, tests). */
export const noObserver: Observer = {
  delivery() {},
  ingested() {},
  ingestRequest() {},
  scan() {},
  jobRun() {},
};
