/** Who is acting. Every timeline and audit row records it (ARCHITECTURE.md habit 2). */
export type Actor =
  | { type: 'slack'; teamId: string; userId: string }
  | { type: 'system'; job: string }
  | { type: 'cli'; user: string }
  | { type: 'api'; key: string };

/** The minimal logger use cases need; pino satisfies it. */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface Ctx {
  actor: Actor;
  requestId: string;
  log: Log;
}

export const actorLabel = (a: Actor): string => {
  switch (a.type) {
    case 'slack':
      return `slack:${a.teamId}:${a.userId}`;
    case 'system':
      return `system:${a.job}`;
    case 'cli':
      return `cli:${a.user}`;
    case 'api':
      return `api:${a.key}`;
  }
};
