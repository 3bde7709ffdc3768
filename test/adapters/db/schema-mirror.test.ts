/**
 * schema.ts is a hand-written mirror of migrations/ (the SQL is the source of truth). This suite compares
 * the two on every backend: the drizzle tables (getTableConfig) against the migrated database's
 * information_schema. Both directions are checked by comparing whole sorted lists, so:
 *
 * - a column added by a migration but not to schema.ts appears only in the database list → fails;
 * - a column added to schema.ts but to no migration appears only in the drizzle list → fails;
 * - a changed type or a flipped NOT NULL changes that column's line on one side only → fails;
 * - a new table on either side changes the table lists → fails.
 *
 * Partitions are not schema: bronze_events (migrations/0004) is mirrored as its partitioned parent, and
 * the daily bronze_events_YYYYMMDD partitions that ensure_bronze_partition() creates at run time are left
 * out of the database side (pg_class.relispartition), so a live database with partitions still compares.
 *
 * The last tests prove this on purpose-made drift (DDL run inside a transaction that is rolled back, and
 * a drizzle table that does not exist in SQL), so the comparison cannot silently become lenient.
 */
import { is } from 'drizzle-orm';
import { getTableConfig, interval, PgTable, pgTable, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Sql } from '../../../src/adapters/db/client.ts';
import * as schema from '../../../src/adapters/db/schema.ts';
import { backends } from '../../support/db.ts';

/** drizzle's SQL type (getSQLType) → information_schema.columns.data_type. Anything else fails loudly. */
const DATA_TYPE: Readonly<Record<string, string>> = {
  text: 'text',
  bigint: 'bigint',
  integer: 'integer',
  smallint: 'smallint',
  boolean: 'boolean',
  jsonb: 'jsonb',
  'double precision': 'double precision',
  'timestamp with time zone': 'timestamp with time zone',
  date: 'date',
  bytea: 'bytea',
};

interface ColumnShape {
  table: string;
  column: string;
  /** information_schema data_type spelling. */
  type: string;
  nullable: boolean;
  /** Has a default of any kind (DEFAULT … or an identity). */
  hasDefault: boolean;
  /** 'ALWAYS' | 'BY DEFAULT' for identity columns, else null. */
  identity: string | null;
}

const line = (c: ColumnShape): string =>
  `${c.table}.${c.column} ${c.type} ${c.nullable ? 'NULL' : 'NOT NULL'}`;
const defaultLine = (c: ColumnShape): string =>
  `${c.table}.${c.column} default=${c.hasDefault} identity=${c.identity ?? 'none'}`;
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

const schemaTables: PgTable[] = (Object.values(schema) as unknown[]).filter((v): v is PgTable =>
  is(v, PgTable),
);

function drizzleShape(tables: readonly PgTable[]): ColumnShape[] {
  return tables.flatMap((t) => {
    const cfg = getTableConfig(t);
    return cfg.columns.map((c) => {
      const sqlType = c.getSQLType();
      const type = DATA_TYPE[sqlType];
      if (type === undefined)
        throw new Error(`${cfg.name}.${c.name}: drizzle type '${sqlType}' is not mapped; extend DATA_TYPE`);
      const identity = (c as { generatedIdentity?: { type: 'always' | 'byDefault' } }).generatedIdentity;
      return {
        table: cfg.name,
        column: c.name,
        type,
        nullable: !c.notNull,
        hasDefault: c.hasDefault,
        identity: identity ? (identity.type === 'always' ? 'ALWAYS' : 'BY DEFAULT') : null,
      };
    });
  });
}

/** Partitions show up in information_schema as base tables of their own; they are data, not schema. */
const NOT_A_PARTITION = `table_name NOT IN (
  SELECT relname FROM pg_class WHERE relispartition AND relnamespace = current_schema()::regnamespace)`;

async function databaseTables(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND ${NOT_A_PARTITION}`,
  );
  return sorted(rows.map((r) => r.table_name));
}

async function databaseShape(sql: Sql): Promise<ColumnShape[]> {
  const rows = await sql.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: 'YES' | 'NO';
    column_default: string | null;
    is_identity: 'YES' | 'NO';
    identity_generation: string | null;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default, c.is_identity,
            c.identity_generation
     FROM information_schema.columns c
     JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND ${NOT_A_PARTITION}`,
  );
  return rows.map((r) => ({
    table: r.table_name,
    column: r.column_name,
    type: r.data_type,
    nullable: r.is_nullable === 'YES',
    hasDefault: r.column_default !== null || r.is_identity === 'YES',
    identity: r.is_identity === 'YES' ? r.identity_generation : null,
  }));
}

/** Lines present on only one side, for the drift tests (the main tests compare whole lists). */
function drift(expected: readonly string[], actual: readonly string[]) {
  const a = new Set(actual);
  const e = new Set(expected);
  return {
    onlyInSchemaTs: expected.filter((x) => !a.has(x)),
    onlyInDatabase: actual.filter((x) => !e.has(x)),
  };
}

/** Runs `fn` inside a transaction that is always rolled back, so DDL drift never outlives the test. */
async function withRolledBack<T>(db: Db, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const rollback = new Error('rollback');
  let result: T | undefined;
  await db
    .transaction(async (tx) => {
      result = await fn(tx);
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
  return result as T;
}

const expectedShape = drizzleShape(schemaTables);

describe('schema.ts declares the tables it mirrors', () => {
  it('finds every table (so an empty export cannot pass)', () => {
    expect(sorted(schemaTables.map((t) => getTableConfig(t).name))).toEqual([
      'audit_log',
      'bronze_events',
      'bronze_evidence',
      'crm_sync_rejections',
      'crm_sync_runs',
      'crm_sync_state',
      'crm_sync_streams',
      'crm_tasks',
      'crm_write_batches',
      'email_drafts',
      'findings',
      'fix_runs',
      'gold_snapshots',
      'import_rejections',
      'import_runs',
      'incident_events',
      'incidents',
      'ingest_tokens',
      'jobs',
      'ledger_entries',
      'metric_series_state',
      'openslo_objects',
      'records',
      'revops_customers',
      'revops_deals',
      'revops_marketing_spend',
      'revops_mrr_history',
      'scans',
      'scheduled_runs',
      'schema_migrations',
      'silver_hour',
      'silver_minute',
      'silver_minute_pending',
      'sla_alert_state',
      'sla_definitions',
      'stored_pii_key',
      'webhook_deliveries',
    ]);
    expect(expectedShape.length).toBeGreaterThan(50);
  });

  it('refuses a drizzle type it has no mapping for, rather than guessing', () => {
    const odd = pgTable('odd', { d: interval('d') });
    expect(() => drizzleShape([odd])).toThrow(/odd\.d: drizzle type 'interval' is not mapped/);
  });
});

describe.each(backends)('schema.ts mirrors the migrated database on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterAll(async () => dispose());

  it('has the same tables', async () => {
    expect(await databaseTables(db)).toEqual(sorted(new Set(expectedShape.map((c) => c.table))));
  });

  it('has the same columns with the same types and nullability', async () => {
    expect(sorted((await databaseShape(db)).map(line))).toEqual(sorted(expectedShape.map(line)));
  });

  it('agrees on which columns have defaults and which are identities', async () => {
    expect(sorted((await databaseShape(db)).map(defaultLine))).toEqual(
      sorted(expectedShape.map(defaultLine)),
    );
  });

  it('fails on a column a migration adds but schema.ts lacks', async () => {
    const actual = await withRolledBack(db, async (tx) => {
      await tx.query("ALTER TABLE records ADD COLUMN probe_extra text NOT NULL DEFAULT ''");
      return sorted((await databaseShape(tx)).map(line));
    });
    expect(drift(sorted(expectedShape.map(line)), actual)).toEqual({
      onlyInSchemaTs: [],
      onlyInDatabase: ['records.probe_extra text NOT NULL'],
    });
    // Rolled back: the real comparison is clean again.
    expect(sorted((await databaseShape(db)).map(line))).toEqual(sorted(expectedShape.map(line)));
  });

  it('fails on a column schema.ts declares but no migration creates', async () => {
    const extra = pgTable('records', { drizzleOnly: text('drizzle_only') });
    const expected = sorted(drizzleShape([...schemaTables, extra]).map(line));
    const actual = sorted((await databaseShape(db)).map(line));
    expect(drift(expected, actual)).toEqual({
      onlyInSchemaTs: ['records.drizzle_only text NULL'],
      onlyInDatabase: [],
    });
  });

  it('fails on a changed type, a flipped NOT NULL and an extra table', async () => {
    const { actual, tables } = await withRolledBack(db, async (tx) => {
      await tx.query('ALTER TABLE scans ALTER COLUMN high_issues TYPE bigint');
      await tx.query('ALTER TABLE records ALTER COLUMN email_hash SET NOT NULL');
      await tx.query('CREATE TABLE probe_table (id integer)');
      return { actual: sorted((await databaseShape(tx)).map(line)), tables: await databaseTables(tx) };
    });
    expect(drift(sorted(expectedShape.map(line)), actual)).toEqual({
      onlyInSchemaTs: ['records.email_hash text NULL', 'scans.high_issues integer NOT NULL'],
      onlyInDatabase: [
        'probe_table.id integer NULL',
        'records.email_hash text NOT NULL',
        'scans.high_issues bigint NOT NULL',
      ],
    });
    expect(tables).toContain('probe_table');
  });

  it('ignores the daily Bronze partitions created at run time, but not other new tables', async () => {
    const { tables, shape } = await withRolledBack(db, async (tx) => {
      await tx.query("SELECT ensure_bronze_partition('2026-11-02')");
      return { tables: await databaseTables(tx), shape: sorted((await databaseShape(tx)).map(line)) };
    });
    expect(tables).toEqual(sorted(new Set(expectedShape.map((c) => c.table))));
    expect(shape).toEqual(sorted(expectedShape.map(line)));
  });
});
