import { type CrmDeliveryDeps, crmHandlers } from '../crm/deliver-crm.ts';
import { type CrmWriteDeliveryDeps, crmWriteHandlers } from '../fixes/deliver-crm-write.ts';
import { type FixDeliveryDeps, fixHandlers } from '../fixes/deliver-fix.ts';
import { type IncidentDeliveryDeps, incidentHandlers } from '../incidents/deliver-incident.ts';
import { deliverDueWith, type JobHandlers, type OutboxDeps } from '../outbox/deliver.ts';
import { createOutboxWorker, type DeliveryWorker } from '../outbox/worker.ts';
import { type RevopsDeliveryDeps, revopsHandlers } from '../revops/digest.ts';
import { type SlaDeliveryDeps, slaHandlers } from '../sla/deliver-sla.ts';
import { type AdminDeliveryDeps, adminHandlers } from '../telemetry/deliver-admin.ts';

/**
 * The outbox's job table: which noun delivers each job kind. The outbox (app/outbox) knows no noun and
 * every noun's handler imports the outbox, so the table that names them all sits here, above both; a
 * new job kind is one entry in outbox/ports.ts JobPayloads and one handler spread in below.
 */
export interface DeliveryDeps
  extends OutboxDeps,
    IncidentDeliveryDeps,
    FixDeliveryDeps,
    SlaDeliveryDeps,
    AdminDeliveryDeps,
    RevopsDeliveryDeps,
    CrmDeliveryDeps,
    CrmWriteDeliveryDeps {}

const handlers: JobHandlers<DeliveryDeps> = {
  ...incidentHandlers,
  ...fixHandlers,
  ...slaHandlers,
  ...adminHandlers,
  ...revopsHandlers,
  ...crmHandlers,
  ...crmWriteHandlers,
};

/** Claims due jobs and delivers them (outbox/deliver.ts deliverDueWith); answers how many it handled. */
export const deliverDue = (deps: DeliveryDeps, batch?: number): Promise<number> =>
  deliverDueWith(handlers, deps, batch);

/** The polling worker (outbox/worker.ts) delivering with these handlers. */
export const createDeliveryWorker = (
  deps: DeliveryDeps,
  opts: Parameters<typeof createOutboxWorker>[1],
): DeliveryWorker => createOutboxWorker(() => deliverDue(deps), opts);
