import type { Logger } from 'pino';
import { DeliveryError, type UploadFile } from '../../app/outbox/ports.ts';
import type { GatewayContext } from './gateway-context.ts';
import { DEFAULT_TIMEOUT_MS } from './gateway-errors.ts';

export async function uploadFile(
  ctx: GatewayContext,
  channelId: string,
  file: UploadFile,
): Promise<{ fileId: string }> {
  const { client, log, uploadTimeoutMs } = ctx.deps;
  // Slack's external upload: an upload URL, the bytes POSTed to it, then the share into the channel.
  const up = await ctx.must('files.getUploadURLExternal', () =>
    client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length }),
  );
  const url = ctx.field('files.getUploadURLExternal', up.upload_url);
  const fileId = ctx.field('files.getUploadURLExternal', up.file_id);
  await postBytes(url, file.bytes, uploadTimeoutMs ?? DEFAULT_TIMEOUT_MS, log);
  await ctx.must('files.completeUploadExternal', () =>
    client.files.completeUploadExternal({
      files: [{ id: fileId, title: file.title }],
      channel_id: channelId,
      ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
    }),
  );
  return { fileId };
}

/** POSTs file bytes to an upload URL; a failure is a transient DeliveryError (a retry asks for a new URL). */
async function postBytes(url: string, bytes: Uint8Array, timeoutMs: number, log: Logger): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    log.warn({ method: 'upload', code: 'network', err_name: (err as Error).name }, 'slack call failed');
    throw new DeliveryError('network');
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    log.warn({ method: 'upload', code: `http_${res.status}` }, 'slack call failed');
    throw new DeliveryError(res.status === 429 ? 'rate_limited' : `http_${res.status}`, {
      ...(Number.isFinite(retry) && retry > 0 ? { retryAfterMs: retry * 1000 } : {}),
    });
  }
}
