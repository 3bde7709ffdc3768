import type { ImportProgress } from '../../app/import/import.ts';

/** What the bar writes to: process.stderr in the CLI, a recording fake in tests. */
export interface ProgressSink {
  readonly isTTY?: boolean;
  /** Terminal width; the line is cut to it, since a wrapped line cannot be redrawn with \r. */
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  update(p: ImportProgress): void;
  /** Clears the bar (TTY) so the final summary starts on a clean line. */
  done(): void;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Share of bytes read, 0–100, or null when the size is unknown. */
export const percentOf = (p: ImportProgress): number | null =>
  p.totalBytes > 0 ? Math.min(100, (p.bytesRead / p.totalBytes) * 100) : null;

/**
 * One progress line, e.g. `[██████░░░░░░] 48.1%  1.2/2.5 MiB  52,000 rows  310,000 rows/s  3 rejected`.
 * Pure: elapsed time is an argument. Without a known size the bar and percent are left out.
 */
export function formatProgress(p: ImportProgress, elapsedMs: number, barWidth = 24): string {
  const parts: string[] = [];
  const pct = percentOf(p);
  if (pct !== null) {
    const filled = Math.floor((pct / 100) * barWidth);
    parts.push(`[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${pct.toFixed(1).padStart(5)}%`);
    parts.push(`${size(p.bytesRead)} of ${size(p.totalBytes)}`);
  }
  parts.push(`${int(p.rows)} rows`);
  parts.push(elapsedMs > 0 ? `${int((p.rows / elapsedMs) * 1000)} rows/s` : '— rows/s');
  parts.push(`${int(p.rejected)} rejected`);
  return parts.join('  ');
}

export interface ProgressOptions {
  /** Monotonic milliseconds; injectable so throttling is testable. */
  now?: () => number;
  /** Minimum time between two redraws on a TTY: ~10 per second is smooth and costs nothing. */
  redrawMs?: number;
  /** Without a TTY (CI logs, pipes) a whole line every this many percent, so logs stay short. */
  logEveryPercent?: number;
}

/**
 * A progress bar redrawn in place on a TTY (throttled), or a plain log line every 10% otherwise. With
 * no TTY and no known size it writes nothing: a stream of row counts in a log helps nobody.
 */
export function createProgressBar(sink: ProgressSink, opts: ProgressOptions = {}): ProgressBar {
  const now = opts.now ?? (() => performance.now());
  const redrawMs = opts.redrawMs ?? 100;
  const step = opts.logEveryPercent ?? 10;
  const startedAt = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastStep = 0;
  let drawn = false;

  const clip = (line: string): string => {
    const cols = sink.columns ?? 0;
    return cols > 1 && line.length >= cols ? line.slice(0, cols - 1) : line;
  };

  return {
    update(p) {
      const t = now();
      if (sink.isTTY) {
        if (t - lastDraw < redrawMs) return;
        lastDraw = t;
        drawn = true;
        // \r then erase to end of line: redraw in place without leaving a longer previous line's tail.
        sink.write(`\r${clip(formatProgress(p, t - startedAt))}\x1b[K`);
        return;
      }
      const pct = percentOf(p);
      if (pct === null) return;
      const reached = Math.floor(pct / step);
      if (reached <= lastStep) return;
      lastStep = reached;
      sink.write(`import ${formatProgress(p, t - startedAt, 10)}\n`);
    },
    done() {
      if (sink.isTTY && drawn) sink.write('\r\x1b[K');
      drawn = false;
    },
  };
}
