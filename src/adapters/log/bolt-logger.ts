import { format } from 'node:util';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import { maskSecrets } from './logger.ts';

/**
 * Gives Bolt, the WebClient and the Socket Mode client the process's pino logger (ARCHITECTURE.md habit 8),
 * so their lines carry the same fields, level and redaction as ours instead of going to a ConsoleLogger.
 *
 * Slack libraries log free-form varargs; they become one message string, with an Error lifted into `err`
 * so pino serialises its stack. Slack's clients already redact tokens in request dumps; as a second line of
 * defence, anything shaped like a Slack token is masked here too (pino's path-based redaction cannot see
 * inside a message string).
 */
/** One masking rule for every log line (adapters/log/logger.ts). */
export const maskTokens = maskSecrets;

const TO_SLACK: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  // "silent" has no Slack equivalent; ERROR is the quietest Slack level and pino still drops everything.
  silent: LogLevel.ERROR,
};

type Method = 'debug' | 'info' | 'warn' | 'error';

export function boltLogger(root: PinoLogger, name = 'slack'): SlackLogger {
  let log = root.child({ component: name });
  const emit = (method: Method, args: unknown[]) => {
    if (!log.isLevelEnabled(method)) return;
    const err = args.find((a): a is Error => a instanceof Error);
    const rest = args.filter((a) => a !== err);
    const msg = maskTokens(format(...rest));
    if (err)
      log[method](
        { err: { name: err.name, message: maskTokens(err.message), stack: maskSecrets(err.stack ?? '') } },
        msg || err.message,
      );
    else log[method](msg);
  };
  return {
    debug: (...args: unknown[]) => emit('debug', args),
    info: (...args: unknown[]) => emit('info', args),
    warn: (...args: unknown[]) => emit('warn', args),
    error: (...args: unknown[]) => emit('error', args),
    // Ignored on purpose: LOG_LEVEL is the one level. Bolt's App calls setLevel(INFO) whenever it was not given
    // `logLevel`, which would silently hide the Slack libraries' debug lines when LOG_LEVEL=debug.
    setLevel: (_level: LogLevel) => {},
    getLevel: () => TO_SLACK[log.level] ?? LogLevel.INFO,
    setName: (n: string) => {
      log = root.child({ component: n });
    },
  };
}
