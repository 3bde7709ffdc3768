import { createHmac } from 'node:crypto';

/**
 * Personal data (contact emails) is stored only as a keyed SHA-256, so a leaked database cannot be
 * reversed with a dictionary of known addresses without the per-install key. Normalized first so the
 * same person hashes the same way regardless of case or padding.
 */
export const hashPii = (key: string, value: string): string =>
  createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex');
