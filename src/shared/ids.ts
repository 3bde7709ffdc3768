import { randomBytes } from 'node:crypto';

/** Short, URL-safe reference id shown to users next to an unexpected error and logged beside it. */
export const newRef = (): string => randomBytes(6).toString('base64url');
