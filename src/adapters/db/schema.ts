/**
 * Drizzle mirror of migrations/ (the SQL files are the source of truth; a test compares the two).
 * Typed queries use these tables; bulk paths use COPY through client.ts.
 */
// One import for drizzle (client.ts) and the mirror test: every table, split by noun beside this file.
export * from './schema-commerce.ts';
export * from './schema-crm.ts';
export * from './schema-fixes.ts';
export * from './schema-incidents.ts';
export * from './schema-records.ts';
export * from './schema-revops.ts';
export * from './schema-sla.ts';
export * from './schema-telemetry.ts';
