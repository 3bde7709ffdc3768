/**
 * The minimal logger use cases need; pino satisfies it. Here rather than in app/context.ts so that app
 * folders which need nothing else of the app root (the outbox) can log without importing it.
 */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}
