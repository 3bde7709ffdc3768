import { type ConditionRule, conditionRule, targetChannel } from './alert-rules.ts';
import { show } from './openslo.ts';
import { type AlertKind, type PolicySpec, refOrInline } from './openslo-alerts.ts';
import type { DocOf, DocSet, Entry, Kind } from './openslo-set.ts';
import { type DataSourceLookup, type Measured, measure } from './sli.ts';

/**
 * The second pass: what each referable document means (an SLI's measure, a condition's rule, a target's
 * channel, a policy's rules), computed once per document. A document of this file reports its own
 * problems and warnings, once, under its label; whoever refers to it only learns that it failed. One
 * applied earlier that no longer reads is reported where it is referred to.
 */

export type Derived<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** A policy's burn-rate conditions, each with the Slack channels of the policy's notification targets. */
export interface PolicyRule {
  rule: ConditionRule;
  channels: string[];
}

export interface Resolver {
  readonly set: DocSet;
  dataSources: DataSourceLookup;
  sli(e: Entry<'SLI'>): Derived<Measured>;
  condition(e: Entry<'AlertCondition'>): Derived<ConditionRule>;
  target(e: Entry<'AlertNotificationTarget'>): Derived<string>;
  policy(e: Entry<'AlertPolicy'>): Derived<PolicyRule[]>;
  /** An SLO's `alertPolicies` item at `at` (a name, `{ alertPolicyRef }` or inline), or null (problems pushed). */
  followPolicy(item: unknown, at: string, errors: string[], warnings: string[]): PolicyRule[] | null;
}

const fail = (errors: string[]): Derived<never> => ({ ok: false, errors });
const derived = <T>(v: T | { errors: string[] }): Derived<T> =>
  v !== null && typeof v === 'object' && 'errors' in v ? fail(v.errors) : { ok: true, value: v as T };

/** A reference by name that resolves to nothing, or to a document that failed. */
function unresolved(kind: Kind, name: string, at: string, e: Entry | undefined, d: Derived<unknown> | null) {
  if (e === undefined) return [`${at} ${show(name)} names no ${kind} in this set or applied earlier`];
  if (!e.stored) return []; // reported at its own document
  const why = d !== null && !d.ok && d.errors.length > 0 ? `: ${d.errors.join('; ')}` : '';
  return [`${at} ${show(name)} names ${e.label}, which no longer reads: apply it again${why}`];
}

export function resolver(set: DocSet, errors: string[], warnings: string[]): Resolver {
  const memo = new Map<Entry, Derived<unknown>>();
  /** The derivation of an entry, once; a file entry's problems and warnings go under its label. */
  const once = <K extends Kind, T>(
    e: Entry<K>,
    derive: (doc: DocOf<K>, w: string[]) => Derived<T>,
  ): Derived<T> => {
    const hit = memo.get(e);
    if (hit) return hit as Derived<T>;
    const w: string[] = [];
    const d = e.doc === null ? fail([]) : derive(e.doc, w);
    memo.set(e, d);
    if (!e.stored) {
      if (!d.ok) for (const p of d.errors) errors.push(`${e.label}: ${p}`);
      for (const p of w) warnings.push(`${e.label}: ${p}`);
    }
    return d;
  };

  const r: Resolver = {
    set,
    dataSources: (n) => {
      const e = set.find('DataSource', n);
      if (e === undefined) return 'missing';
      if (e.doc === null) return e.stored ? 'stale' : 'invalid';
      return { type: e.doc.spec.type, label: e.stored ? e.label : `DataSource ${e.name}` };
    },
    sli: (e) =>
      once(e, (doc) => {
        const m = measure(doc.spec, 'spec', r.dataSources);
        return Array.isArray(m) ? fail(m) : { ok: true, value: m };
      }),
    condition: (e) => once(e, (doc) => derived(conditionRule(doc.spec, 'spec'))),
    target: (e) => once(e, (doc) => derived(targetChannel(doc.spec.target, doc.metadata.annotations, ''))),
    policy: (e) => once(e, (doc, w) => policyOf(doc.spec, 'spec', r, w)),
    followPolicy(item, at, errs, warns) {
      const got = refOrInline(item, 'AlertPolicy', at);
      if ('errors' in got) {
        errs.push(...got.errors);
        return null;
      }
      const d = 'inline' in got ? policyOf(got.inline.spec, `${at}.spec`, r, warns) : null;
      if (d !== null) {
        if (!d.ok) errs.push(...d.errors);
        return d.ok ? d.value : null;
      }
      const { ref, at: refAt } = got as { ref: string; at: string };
      const e = set.find('AlertPolicy', ref);
      const byRef = e === undefined ? null : r.policy(e);
      if (byRef?.ok) return byRef.value;
      errs.push(...unresolved('AlertPolicy', ref, refAt, e, byRef));
      return null;
    },
  };
  return r;
}

type Follow<K extends AlertKind, T> = {
  kind: K;
  byRef: (e: Entry<K>) => Derived<T>;
  inline: (doc: Omit<DocOf<K>, 'apiVersion'>, path: string) => T | { errors: string[] };
};

/** Every item of a policy's list (conditions or targets), by reference or inline; problems pushed to errors. */
function follow<K extends AlertKind, T>(
  f: Follow<K, T>,
  list: readonly unknown[],
  at: string,
  r: Resolver,
  errors: string[],
): T[] {
  const out: T[] = [];
  list.forEach((item, i) => {
    const path = `${at}[${i}]`;
    const got = refOrInline(item, f.kind, path);
    if ('errors' in got) errors.push(...got.errors);
    else if ('inline' in got) {
      const d = derived(f.inline(got.inline as Omit<DocOf<K>, 'apiVersion'>, path));
      if (d.ok) out.push(d.value);
      else errors.push(...d.errors);
    } else {
      const e = r.set.find(f.kind, got.ref);
      const d = e === undefined ? null : f.byRef(e);
      if (d?.ok) out.push(d.value);
      else errors.push(...unresolved(f.kind, got.ref, got.at, e, d));
    }
  });
  return out;
}

/** A policy's spec (at = its path): its conditions as rules, each with the policy's channels. */
function policyOf(spec: PolicySpec, at: string, r: Resolver, warnings: string[]): Derived<PolicyRule[]> {
  const errors: string[] = [];
  const conditions = follow(
    {
      kind: 'AlertCondition',
      byRef: r.condition,
      inline: (c, path) => conditionRule(c.spec, `${path}.spec`),
    },
    spec.conditions,
    `${at}.conditions`,
    r,
    errors,
  );
  const targets = follow(
    {
      kind: 'AlertNotificationTarget',
      byRef: r.target,
      inline: (t, path) => targetChannel(t.spec.target, t.metadata.annotations, path),
    },
    spec.notificationTargets ?? [],
    `${at}.notificationTargets`,
    r,
    errors,
  );
  if (spec.alertWhenNoData === true)
    warnings.push(
      `${at}.alertWhenNoData is not supported: a window with fewer events than SLA_MIN_EVENTS never fires, and nothing alerts on the silence`,
    );
  if (spec.alertWhenBreaching === false)
    warnings.push(`${at}.alertWhenBreaching is false: its conditions never alert`);
  if (errors.length > 0) return fail(errors);
  if (spec.alertWhenBreaching === false) return { ok: true, value: [] };
  const channels = [...new Set(targets)];
  return { ok: true, value: conditions.map((rule) => ({ rule, channels })) };
}
