import { parseGeneric } from './generic.ts';
import type { DeliveryParser } from './ledger.ts';
import { parseShopier } from './shopier.ts';
import { parseShopify } from './shopify.ts';
import { parseStripe } from './stripe.ts';

/** A Map, not an object literal: a source named "constructor" must get the generic parser. */
const PARSERS: ReadonlyMap<string, DeliveryParser> = new Map([
  ['shopify', parseShopify],
  ['stripe', parseStripe],
  ['shopier', parseShopier],
]);

/**
 * The mapping for a delivery's source: the dedicated one of a KNOWN_SOURCES name, else the generic shape
 * (generic.ts), so any other sender can post its events without code of its own.
 */
export const parserFor = (source: string): DeliveryParser =>
  PARSERS.get(source.trim().toLowerCase()) ?? parseGeneric;
