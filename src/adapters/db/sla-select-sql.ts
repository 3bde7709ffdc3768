import type { SlaIndicator } from '../../domain/sla/indicator.ts';
import { NUMERIC_TAG_SQL, type TagFilter, type TagMatch } from '../../domain/sla/tag-filter.ts';

/**
 * An SLA indicator's tag filters (domain/sla/tag-filter.ts) as SQL over a jsonb column of tags: Silver's
 * `tags` or Bronze's `attributes`. Every key and value is a bind parameter (pushed onto `params`), never
 * text spliced into the statement. Numeric patterns compare only numeric text, inside a CASE so that the
 * cast is never tried on other text (an AND would not guarantee the order).
 */

export interface RowSelect {
  /** ` AND …` to append to a WHERE clause, or '' when every row of the series counts. */
  and: string;
  /** A row's bad events for availability: `errors`, or its whole `count` by its tags. */
  bad: string;
  /** Whether a row's events can be good at all (latency with a good filter); `true` without one. */
  good: string;
}

type Bind = (v: unknown) => string;

function matchSql(m: TagMatch, value: string, bind: Bind, numeric: () => string): string {
  switch (m.op) {
    case 'eq':
      return `${value} = ${bind(m.value)}::text`;
    case 'present':
      return `${value} IS NOT NULL`;
    case 'not':
      return `NOT coalesce(${matchSql(m.match, value, bind, numeric)}, false)`;
    case 'range': {
      const n = `(${value})::numeric`;
      const conds: string[] = [];
      if (m.min !== undefined) conds.push(`${n} ${m.minExclusive ? '>' : '>='} ${bind(m.min)}::numeric`);
      if (m.max !== undefined) conds.push(`${n} ${m.maxExclusive ? '<' : '<='} ${bind(m.max)}::numeric`);
      return `(CASE WHEN ${value} ~ ${numeric()} THEN ${conds.join(' AND ') || 'true'} ELSE false END)`;
    }
  }
}

/** Whether a row's tags match the filter, as a boolean expression (NULL only where a row lacks a key). */
export function filterSql(filter: TagFilter, params: unknown[], column = 'tags'): string {
  const bind: Bind = (v) => {
    params.push(v);
    return `$${params.length}`;
  };
  let re: string | null = null;
  const numeric = () => (re ??= `${bind(NUMERIC_TAG_SQL)}::text`);
  const keys = Object.entries(filter).map(([key, alternatives]) => {
    const value = `(${column} ->> ${bind(key)}::text)`;
    return `(${alternatives.map((m) => matchSql(m, value, bind, numeric)).join(' OR ')})`;
  });
  return keys.length === 0 ? 'true' : `(${keys.join(' AND ')})`;
}

/** The SQL of an indicator's filters for rows of a table whose tags are in `column`. */
export function rowSelect(ind: SlaIndicator, params: unknown[], column = 'tags'): RowSelect {
  const and = ind.where ? ` AND coalesce(${filterSql(ind.where, params, column)}, false)` : '';
  let bad = 'errors';
  if (ind.kind === 'availability' && ind.bad)
    bad = `(CASE WHEN coalesce(${filterSql(ind.bad, params, column)}, false) THEN count ELSE 0 END)`;
  else if (ind.kind === 'availability' && ind.good)
    bad = `(CASE WHEN coalesce(${filterSql(ind.good, params, column)}, false) THEN 0 ELSE count END)`;
  const good =
    ind.kind === 'latency' && ind.good ? `coalesce(${filterSql(ind.good, params, column)}, false)` : 'true';
  return { and, bad, good };
}
