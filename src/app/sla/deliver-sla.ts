import { DeliveryError, type Job } from '../outbox/ports.ts';
import { postOnce } from '../outbox/post-once.ts';
import { deliverSlaAnnounce, deliverTicketToTargets, type NotifyDeliveryDeps } from './deliver-notify.ts';
import type { SlaReportDelivery } from './report.ts';

/** What the SLA jobs need of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it all). */
export interface SlaDeliveryDeps extends NotifyDeliveryDeps {
  /** Builds a queued weekly SLA report when it is sent; without it such jobs fail (nothing to send). */
  slaReports?: SlaReportDelivery;
}

/** The delivery handler of each SLA job kind (delivery/handlers.ts puts them in the outbox's table). */
export const slaHandlers = {
  'sla.ticket': deliverSlaTicket,
  'sla.announce': deliverSlaAnnounce,
  'sla.report': deliverSlaReport,
};

/**
 * An SLA ticket, posted once (its figures travel in the payload): in the ticket notification targets its
 * SLA's alert policies name (deliver-notify.ts), else in the alerts channel.
 */
async function deliverSlaTicket(deps: SlaDeliveryDeps, job: Job<'sla.ticket'>): Promise<void> {
  const channels = job.payload.channels ?? [];
  if (channels.length > 0) return deliverTicketToTargets(deps, job, channels);
  const alerts = deps.targets.alertsChannel;
  if (alerts === null || typeof job.progress['posted_ts'] === 'string') return;
  const { figures } = job.payload;
  const ts = await postOnce(deps, job, alerts, job.key, { kind: 'sla_ticket', figures });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}

/**
 * The weekly SLA report (kind 'sla.report'): the message posted once (its ts kept), then the chart
 * uploaded once (its file id kept), so a retry after either step does not repeat it.
 */
async function deliverSlaReport(deps: SlaDeliveryDeps, job: Job<'sla.report'>): Promise<void> {
  const p = job.payload;
  if (deps.slaReports === undefined) throw new DeliveryError('sla_reports_unavailable', { permanent: true });
  const posted = typeof job.progress['posted_ts'] === 'string';
  const uploaded = typeof job.progress['file_id'] === 'string';
  if (posted && (uploaded || deps.chat.uploadFile === undefined)) return;
  const { report, chart } = await deps.slaReports.prepare(p.week, p.service ?? null);
  if (!posted) {
    const ts = await postOnce(deps, job, p.channel, job.key, { kind: 'sla_report', report });
    await deps.jobs.saveProgress(job, { posted_ts: ts });
  }
  if (chart !== null && deps.chat.uploadFile !== undefined && !uploaded) {
    const { fileId } = await deps.chat.uploadFile(p.channel, chart);
    await deps.jobs.saveProgress(job, { file_id: fileId });
  }
}
