import type { TelemetryEvent } from './event.ts';
import { arrayField, isObj, Reject, Rejections, requestList, serviceOf } from './otlp-common.ts';

/**
 * The resource → scope → item walk every OTLP/JSON export request shares (resourceLogs → scopeLogs →
 * logRecords, resourceMetrics → scopeMetrics → metrics, resourceSpans → scopeSpans → spans), written once.
 *
 * A body that is not the request at all throws AppError VALIDATION (→ 400). A malformed container (a
 * resource or scope entry that is not an object, an item list that is not an array) adds an error to
 * `rej` but counts 0: its items cannot be counted. Items are handed to `visit` with their path (for the
 * reasons in partialSuccess) and what they inherit: the resource's service and the scope.
 */
export interface OtlpShape {
  /** The request's name in messages: 'ExportLogsServiceRequest'. */
  request: string;
  /** Field and type of the resource level: 'resourceLogs', 'ResourceLogs'. */
  resources: readonly [field: string, type: string];
  /** Field and type of the scope level: 'scopeLogs', 'ScopeLogs'. */
  scopes: readonly [field: string, type: string];
  /** Field of the items in a scope: 'logRecords'. */
  items: string;
}

/** What an item inherits from its containers. */
export interface OtlpContext {
  /** The resource's `service.name` (or 'unknown_service'). */
  service: string;
  /** The scope entry's `scope` (InstrumentationScope), unchecked. */
  scope: unknown;
}

/** The entries of `list` under `field` of `container`, or null (with the reason added) when malformed. */
function entriesOf(container: unknown, type: string, field: string, where: string, rej: Rejections) {
  try {
    if (!isObj(container)) throw new Reject(`expected a ${type} object`);
    return { obj: container, list: arrayField(container, field) };
  } catch (e) {
    rej.caught(where, e, 0);
    return null;
  }
}

export function walkOtlp(
  body: unknown,
  shape: OtlpShape,
  rej: Rejections,
  visit: (item: unknown, where: string, ctx: OtlpContext) => void,
): void {
  const [resources, resourceType] = shape.resources;
  const [scopes, scopeType] = shape.scopes;
  for (const [i, r] of requestList(body, resources, shape.request).entries()) {
    const at = `${resources}[${i}]`;
    const resource = entriesOf(r, resourceType, scopes, at, rej);
    if (resource === null) continue;
    const service = serviceOf(resource.obj.resource);
    for (const [j, s] of resource.list.entries()) {
      const where = `${at}.${scopes}[${j}]`;
      const scope = entriesOf(s, scopeType, shape.items, where, rej);
      if (scope === null) continue;
      const ctx = { service, scope: scope.obj.scope };
      for (const [k, item] of scope.list.entries()) visit(item, `${where}.${shape.items}[${k}]`, ctx);
    }
  }
}

/** What converting a request of events (logs, spans) gives: the events, and what was refused and why. */
export interface EventsConversion {
  events: TelemetryEvent[];
  rejected: number;
  errors: string[];
}

/**
 * The events of an OTLP request: each item through `toEvent` (null: skipped, not refused; a throw: refused
 * with its reason), then `accept`, which may refuse a well-formed event (its time outside the window, say).
 */
export function collectEvents(
  body: unknown,
  shape: OtlpShape,
  toEvent: (item: unknown, ctx: OtlpContext) => TelemetryEvent | null,
  accept: (e: TelemetryEvent) => string | null,
): EventsConversion {
  const events: TelemetryEvent[] = [];
  const rej = new Rejections();
  walkOtlp(body, shape, rej, (item, where, ctx) => {
    try {
      const event = toEvent(item, ctx);
      if (event === null) return;
      const refused = accept(event);
      if (refused !== null) throw new Reject(refused);
      events.push(event);
    } catch (e) {
      rej.caught(where, e);
    }
  });
  return { events, rejected: rej.count, errors: rej.errors };
}
