import { describe, expect, it } from 'vitest';
import { failureEpisodes } from '../../src/shared/failure-episodes.ts';

const capture = () => {
  const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
  const at = (level: string) => (obj: object, msg: string) =>
    lines.push({ level, msg, obj: obj as Record<string, unknown> });
  return { log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') }, lines };
};

describe('failureEpisodes: one line when a failure starts and one when it ends', () => {
  it('logs the first failure, keeps the repeats at debug, and the recovery with how long it lasted', () => {
    const { log, lines } = capture();
    let now = 1_000_000;
    const e = failureEpisodes(log, 'delivery pass', () => now);
    e.succeeded(); // nothing failing: nothing said
    for (let i = 0; i < 12; i++) {
      e.failed(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
      now += 1000;
    }
    e.succeeded();
    e.succeeded();
    const loud = lines.filter((l) => l.level !== 'debug');
    expect(loud.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'delivery pass failed'],
      ['warn', 'delivery pass works again after 12 s and 12 failed attempts'],
    ]);
    expect(loud[1]!.obj).toMatchObject({ failed_attempts: 12, failing_ms: 12_000 });
    expect(lines.filter((l) => l.level === 'debug')).toHaveLength(11);
  });

  it('a different error during an episode is a line of its own; a new episode starts the count again', () => {
    const { log, lines } = capture();
    const e = failureEpisodes(log, 'scheduled run', () => 0);
    e.failed(new Error('connect ECONNREFUSED'), { job: 'pager' });
    e.failed(new Error('connect ECONNREFUSED'), { job: 'pager' });
    e.failed(new Error('relation "incidents" does not exist'), { job: 'pager' });
    e.succeeded({ job: 'pager' });
    e.failed('timeout');
    const loud = lines.filter((l) => l.level !== 'debug');
    expect(loud.map((l) => [l.level, l.msg, l.obj['failed_attempts']])).toEqual([
      ['error', 'scheduled run failed', 1],
      ['error', 'scheduled run failed', 3],
      ['warn', 'scheduled run works again after 0 s and 3 failed attempts', 3],
      ['error', 'scheduled run failed', 1],
    ]);
    expect(loud[0]!.obj).toMatchObject({ job: 'pager' });
  });
});
