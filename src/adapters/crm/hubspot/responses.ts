import { z } from 'zod';
import { answerParser } from '../parse-answer.ts';

/**
 * The shapes of HubSpot's CRM v3/v4 answers the connector reads, checked with zod: an answer of another
 * shape fails the sync as `bad_response` (naming the endpoint) instead of storing half-read records.
 * Only the fields read are declared; HubSpot adds fields freely, and extra ones are ignored.
 */

/** Property values are text or null; numbers and booleans (never sent by v3, but cheap to accept) as text. */
const value = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .transform((v) => (v === null ? null : String(v)));

const paging = z
  .object({ next: z.object({ after: z.string(), link: z.string().optional() }).optional() })
  .optional();

const inlineAssociations = z.record(
  z.string(),
  z.object({ results: z.array(z.object({ id: z.coerce.string(), type: z.string() })) }),
);

export const crmObject = z.object({
  id: z.coerce.string(),
  properties: z.record(z.string(), value).default({}),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
  associations: inlineAssociations.optional(),
});
export type HubspotObject = z.infer<typeof crmObject>;

/** GET /crm/v3/objects/{type}: `{"results":[…],"paging":{"next":{"after":"…","link":"…"}}}`. */
export const listPage = z.object({ results: z.array(crmObject), paging });

/** POST /crm/v3/objects/{type}/search: the same with `total`. */
export const searchPage = z.object({ total: z.number(), results: z.array(crmObject), paging });

/** GET /crm/v3/owners. */
export const ownersPage = z.object({
  results: z.array(
    z.object({
      id: z.coerce.string(),
      email: z.string().nullish(),
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
      archived: z.boolean().optional(),
    }),
  ),
  paging,
});

/** GET /crm/v3/pipelines/deals: stage metadata values are strings (`"probability":"0.2"`). */
export const pipelines = z.object({
  results: z.array(
    z.object({
      id: z.coerce.string(),
      label: z.string(),
      stages: z.array(
        z.object({
          id: z.coerce.string(),
          label: z.string(),
          archived: z.boolean().optional(),
          metadata: z.record(z.string(), value).default({}),
        }),
      ),
    }),
  ),
});

/** POST /crm/v3/objects/companies/batch/read (200, or 207 with `errors` for ids not found). */
export const batchObjects = z.object({ results: z.array(crmObject) });

/** POST /crm/v4/associations/{from}/{to}/batch/read. */
export const associations = z.object({
  results: z.array(
    z.object({
      from: z.object({ id: z.coerce.string() }),
      to: z.array(
        z.object({
          toObjectId: z.coerce.string(),
          associationTypes: z
            .array(z.object({ label: z.string().nullish(), typeId: z.number().optional() }))
            .default([]),
        }),
      ),
    }),
  ),
});

/** Parses an answer, or fails naming the endpoint and the first field that did not fit. */
export const parseAnswer = answerParser('HubSpot');
