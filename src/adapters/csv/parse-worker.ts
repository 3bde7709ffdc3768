/**
 * Worker-thread entry of the worker-backed row source (worker-rows.ts): runs the in-process source
 * (CSV parsing, header check, validation, email hashing, line encoding) and posts its output to the
 * main thread. Messages, in order: one `header`, then `batch`es (only after a good header), then `end`;
 * or an `error` at any point. A batch is posted only against a credit from the main thread, so the
 * worker stays at most a few batches ahead of the writer (back-pressure).
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckedBatch } from '../../app/import/rows.ts';
import type { RecordLineEncoder } from '../../app/records/ports.ts';
import type { HeaderResult } from '../../domain/records/parse-row.ts';
import { piiHasher } from '../../shared/pii.ts';
import { checkedRows } from './checked-rows.ts';
import { CSV_READ_BYTES, CsvReader } from './reader.ts';

export interface ParseWorkerData {
  file: string;
  sizeBytes: number;
  piiHashKey: string;
  /** Where to load the line encoder from (functions cannot cross threads), or null not to encode. */
  encoder: { module: string; name: string } | null;
  /** Batches the worker may post before it waits for credit. */
  credits: number;
}

export type ParseWorkerMessage =
  | { type: 'header'; header: HeaderResult | null }
  | { type: 'batch'; batch: CheckedBatch }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; name: string; message: string; code?: string };

const port = parentPort!;
const data = workerData as ParseWorkerData;

let credits = data.credits;
let wake: (() => void) | undefined;
port.on('message', (m: { credit: number }) => {
  credits += m.credit;
  wake?.();
  wake = undefined;
});
const post = (m: ParseWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  let encode: RecordLineEncoder | null = null;
  if (data.encoder !== null) {
    const mod = (await import(data.encoder.module)) as Record<string, unknown>;
    encode = mod[data.encoder.name] as RecordLineEncoder;
    if (typeof encode !== 'function')
      throw new Error(`${data.encoder.module} has no encoder named ${data.encoder.name}`);
  }
  const reader = new CsvReader(createReadStream(data.file, { highWaterMark: CSV_READ_BYTES }), {
    sizeBytes: data.sizeBytes,
  });
  const source = checkedRows(reader, { hashEmail: piiHasher(data.piiHashKey), encode });
  const header = await source.header();
  post({ type: 'header', header });
  if (header?.ok === true) {
    for await (const batch of source.batches()) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
      credits--;
      post({ type: 'batch', batch }, [batch.lines.buffer as ArrayBuffer, batch.ends.buffer as ArrayBuffer]);
    }
  }
  await source.close();
  post({ type: 'end', bytesRead: reader.bytesRead });
  // Nothing left to wait for: let the thread end once the messages are out.
  port.unref();
} catch (e) {
  const err = e as Error & { code?: unknown };
  post({
    type: 'error',
    name: err.name ?? 'Error',
    message: err.message ?? String(e),
    ...(typeof err.code === 'string' ? { code: err.code } : {}),
  });
  port.unref();
}
