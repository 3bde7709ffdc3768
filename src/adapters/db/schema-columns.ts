import { customType, timestamp } from 'drizzle-orm/pg-core';

/** Column builders shared by the schema-*.ts files; not tables, so schema.ts does not re-export them. */
export const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** bytea as a Buffer (drizzle-orm 0.45 has no built-in bytea column). */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
