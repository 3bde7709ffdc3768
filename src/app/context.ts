import type { Log } from '../shared/log.ts';

/** Who is acting. Every timeline and audit row records it (ARCHITECTURE.md habit 2). */
export type Actor =
  | { type: 'slack'; teamId: string; userId: string }
  | { type: 'system'; job: string }
  | { type: 'cli'; user: string }
  | { type: 'api'; key: string };

/** The minimal logger use cases need (shared/log.ts); pino satisfies it. */
export type { Log };

/** Milliseconds since the epoch; injected so tests and the demo run on simulated time. */
export interface Clock {
  now(): number;
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
