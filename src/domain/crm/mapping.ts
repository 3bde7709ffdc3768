import { z } from 'zod';
import { normalizeStage } from '../records/record.ts';
import { formatPath, type IssuePath } from '../zod-issues.ts';
import {
  type FieldSources,
  FUNNEL_FIELDS,
  type FunnelField,
  HUBSPOT_CONTACT_FIELDS,
  HUBSPOT_CONTACT_STAGES,
  HUBSPOT_DEAL_FIELDS,
} from './mapping-defaults.ts';
import {
  SALESFORCE_LEAD_FIELDS,
  SALESFORCE_LEAD_STAGES,
  SALESFORCE_OPPORTUNITY_FIELDS,
  SALESFORCE_OPPORTUNITY_STAGES,
} from './mapping-salesforce.ts';
import { companyProperties, recordProperties, type Source, sourceSchema, sourcesIn } from './source.ts';

/**
 * The field-mapping file (CRM_MAPPING_FILE, YAML): overrides of the default mapping of CRM records onto
 * funnel records, validated with zod, every problem listed with its path. Without a file the defaults
 * (mapping-defaults.ts) apply as they are.
 *
 *   version: 1
 *   hubspot:
 *     deals:
 *       id_prefix: hs-deal-
 *       fields: { region: sales_region, next_step: { first: [hs_next_step, next_action__c] } }
 *       stage_map: { "Contract Sent": Negotiation }
 *       stage_from_probability: false
 *     contacts:
 *       sync: false
 */

export interface ObjectMapping {
  /** Whether this object is synced at all. */
  sync: boolean;
  /** Put before the CRM's id to make the funnel id (contacts and deals share one id space in the funnel). */
  idPrefix: string;
  fields: FieldSources;
  /** Normalized source value (normalizeStage) → funnel stage, applied after stage resolution. */
  stageMap: ReadonlyMap<string, string>;
  /** An open deal stage becomes the funnel stage whose win probability is nearest its own (pricing). */
  stageFromProbability: boolean;
}

export interface HubspotMapping {
  contacts: ObjectMapping;
  deals: ObjectMapping;
}

export interface SalesforceMapping {
  leads: ObjectMapping;
  opportunities: ObjectMapping;
}

export interface CrmMapping {
  hubspot: HubspotMapping;
  salesforce: SalesforceMapping;
}

export interface MappingProblem {
  /** Where in the file: `hubspot.deals.fields.owner`, `version`. */
  path: string;
  /** The same path as keys, to find the line in the file. */
  keys: IssuePath;
  message: string;
}

/** Funnel ids appear in issue ids and Slack button values, which accept only these characters. */
const ID_PREFIX = /^[A-Za-z0-9_.:@-]{0,40}$/;

const strict = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown key ${iss.keys.map((k) => `'${k}'`).join(', ')} (expected ${Object.keys(shape).join(', ')})`
        : undefined,
  });

const fieldsSchema = strict(
  Object.fromEntries(FUNNEL_FIELDS.map((f) => [f, sourceSchema.optional()])) as Record<
    FunnelField,
    z.ZodOptional<typeof sourceSchema>
  >,
);

const objectShape = {
  sync: z.boolean({ error: 'expected true or false' }).optional(),
  id_prefix: z
    .string()
    .regex(ID_PREFIX, 'letters, digits and _ . : @ - only, up to 40 characters')
    .optional(),
  fields: fieldsSchema.optional(),
  stage_map: z.record(z.string().min(1).max(100), z.string().trim().min(1).max(100)).optional(),
};

const fileSchema = strict({
  version: z.literal(1, { error: 'expected 1 (the only version of the mapping file)' }),
  hubspot: strict({
    contacts: strict(objectShape).optional(),
    deals: strict({
      ...objectShape,
      stage_from_probability: z.boolean({ error: 'expected true or false' }).optional(),
    }).optional(),
  }).optional(),
  salesforce: strict({
    leads: strict(objectShape).optional(),
    opportunities: strict({
      ...objectShape,
      stage_from_probability: z.boolean({ error: 'expected true or false' }).optional(),
    }).optional(),
  }).optional(),
});

type ObjectOverride = z.infer<z.ZodObject<typeof objectShape>> & { stage_from_probability?: boolean };

function merged(
  defaults: { fields: FieldSources; stages: Readonly<Record<string, string>>; idPrefix: string },
  o: ObjectOverride | undefined,
): ObjectMapping {
  const fields = { ...defaults.fields };
  for (const f of FUNNEL_FIELDS) {
    const s = o?.fields?.[f] as Source | undefined;
    if (s !== undefined) fields[f] = s;
  }
  const stageMap = new Map<string, string>();
  for (const [k, v] of Object.entries({ ...defaults.stages, ...o?.stage_map }))
    stageMap.set(normalizeStage(k), v);
  return {
    sync: o?.sync ?? true,
    idPrefix: o?.id_prefix ?? defaults.idPrefix,
    fields,
    stageMap,
    stageFromProbability: o?.stage_from_probability ?? false,
  };
}

/** The default mapping, as used without a mapping file. */
export const DEFAULT_CRM_MAPPING: CrmMapping = {
  hubspot: {
    contacts: merged(
      { fields: HUBSPOT_CONTACT_FIELDS, stages: HUBSPOT_CONTACT_STAGES, idPrefix: 'hs-contact-' },
      undefined,
    ),
    deals: merged({ fields: HUBSPOT_DEAL_FIELDS, stages: {}, idPrefix: 'hs-deal-' }, undefined),
  },
  salesforce: salesforceMapping(undefined),
};

/** Salesforce's defaults (mapping-salesforce.ts) with the file's overrides. */
function salesforceMapping(
  o: { leads?: ObjectOverride | undefined; opportunities?: ObjectOverride | undefined } | undefined,
): SalesforceMapping {
  return {
    leads: merged(
      { fields: SALESFORCE_LEAD_FIELDS, stages: SALESFORCE_LEAD_STAGES, idPrefix: 'sf-lead-' },
      o?.leads,
    ),
    opportunities: merged(
      { fields: SALESFORCE_OPPORTUNITY_FIELDS, stages: SALESFORCE_OPPORTUNITY_STAGES, idPrefix: 'sf-opp-' },
      o?.opportunities,
    ),
  };
}

/** Salesforce's rules across keys; its id prefixes must not meet HubSpot's either (one funnel id space). */
function salesforceProblems(s: SalesforceMapping, h: HubspotMapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const at = (keys: string[], message: string) => problems.push({ path: keys.join('.'), keys, message });
  if (!s.leads.sync && !s.opportunities.sync)
    at(['salesforce'], 'nothing to sync: leads and opportunities both have sync: false');
  const taken = new Map<string, string>([
    [h.contacts.idPrefix, 'hubspot.contacts'],
    [h.deals.idPrefix, 'hubspot.deals'],
  ]);
  for (const [name, m] of [
    ['leads', s.leads],
    ['opportunities', s.opportunities],
  ] as const) {
    const other = taken.get(m.idPrefix);
    if (other !== undefined)
      at(
        ['salesforce', name, 'id_prefix'],
        `must differ from ${other}' id_prefix ('${m.idPrefix}'): two records may share an id`,
      );
    taken.set(m.idPrefix, `salesforce.${name}`);
    const created = m.fields.created_at;
    if (created.kind === 'value' && created.value === '')
      at(
        ['salesforce', name, 'fields', 'created_at'],
        'created_at is required: every record needs a creation time',
      );
  }
  for (const f of FUNNEL_FIELDS)
    for (const src of sourcesIn(s.leads.fields[f])) {
      if (src.kind === 'stage')
        at(['salesforce', 'leads', 'fields', f], 'leads have no sales process stage: use the Status field');
      if (src.kind === 'company')
        at(
          ['salesforce', 'leads', 'fields', f],
          'a lead has no Account: name a Lead field (e.g. Company, Website)',
        );
    }
  return problems;
}

/** Rules across keys, once each key is valid on its own. */
function crossProblems(h: HubspotMapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const at = (keys: string[], message: string) => problems.push({ path: keys.join('.'), keys, message });
  if (!h.contacts.sync && !h.deals.sync)
    at(['hubspot'], 'nothing to sync: contacts and deals both have sync: false');
  if (h.contacts.sync && h.deals.sync && h.contacts.idPrefix === h.deals.idPrefix)
    at(
      ['hubspot', 'deals', 'id_prefix'],
      `must differ from contacts' id_prefix ('${h.deals.idPrefix}'): a contact and a deal may share an id`,
    );
  for (const [name, m] of [
    ['contacts', h.contacts],
    ['deals', h.deals],
  ] as const) {
    const created = m.fields.created_at;
    if (created.kind === 'value' && created.value === '')
      at(
        ['hubspot', name, 'fields', 'created_at'],
        'created_at is required: every record needs a creation time',
      );
  }
  if (h.contacts.fields.stage.kind === 'stage')
    at(
      ['hubspot', 'contacts', 'fields', 'stage'],
      'contacts have no pipeline: use the lifecycle stage property',
    );
  return problems;
}

/**
 * Reads a parsed mapping file (the YAML as plain values; null or undefined: no file) into the mapping, or
 * every problem with its path. Nothing partial: one bad key refuses the whole file.
 */
export function parseCrmMapping(
  raw: unknown,
): { ok: true; mapping: CrmMapping } | { ok: false; problems: MappingProblem[] } {
  if (raw === null || raw === undefined) return { ok: true, mapping: DEFAULT_CRM_MAPPING };
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({
        path: formatPath(i.path, '(file)'),
        // An unknown key is found in the file by its own line, not its parent's.
        keys: i.code === 'unrecognized_keys' && i.keys[0] !== undefined ? [...i.path, i.keys[0]] : i.path,
        message: i.message,
      })),
    };
  const h = parsed.data.hubspot;
  const hubspot: HubspotMapping = {
    contacts: merged(
      { fields: HUBSPOT_CONTACT_FIELDS, stages: HUBSPOT_CONTACT_STAGES, idPrefix: 'hs-contact-' },
      h?.contacts as ObjectOverride | undefined,
    ),
    deals: merged(
      { fields: HUBSPOT_DEAL_FIELDS, stages: {}, idPrefix: 'hs-deal-' },
      h?.deals as ObjectOverride,
    ),
  };
  const salesforce = salesforceMapping(
    parsed.data.salesforce as
      | { leads?: ObjectOverride | undefined; opportunities?: ObjectOverride | undefined }
      | undefined,
  );
  const problems = [...crossProblems(hubspot), ...salesforceProblems(salesforce, hubspot)];
  return problems.length > 0 ? { ok: false, problems } : { ok: true, mapping: { hubspot, salesforce } };
}

/** The properties to fetch for an object's records and for its associated companies, sorted. */
export function propertiesToFetch(m: ObjectMapping): { record: string[]; company: string[] } {
  const sources = FUNNEL_FIELDS.map((f) => m.fields[f]);
  return {
    record: [...new Set(sources.flatMap(recordProperties))].sort(),
    company: [...new Set(sources.flatMap(companyProperties))].sort(),
  };
}

/** Whether any field resolves owners or stages (the lookups a sync must load first). */
export const needsLookup = (m: ObjectMapping, kind: 'owner' | 'stage'): boolean =>
  FUNNEL_FIELDS.some((f) => [...sourcesIn(m.fields[f])].some((s) => s.kind === kind));
