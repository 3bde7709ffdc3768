/**
 * Label values stay a small closed set: every distinct value is a time series the scraper keeps, so a
 * label fed a raw URL, a user id or a token would grow without bound (and leak what it carries). The
 * callers pass values the code chose (route families, job names, job kinds); these guards hold the line
 * even if one passes something else by mistake.
 */
export const OTHER = 'other';

/** The most distinct values one free label (route, job, kind) may take; later new ones read `other`. */
export const MAX_LABEL_VALUES = 64;

const LABEL_VALUE = /^[A-Za-z0-9_./:-]{1,64}$/;

/**
 * A label whose values are not listed up front: the first `max` distinct well-formed values pass as they
 * are, anything after them (or anything oddly shaped: spaces, quotes, over 64 characters) reads `other`.
 */
export function boundedLabel(max = MAX_LABEL_VALUES): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!LABEL_VALUE.test(value)) return OTHER;
    if (seen.has(value)) return value;
    if (seen.size >= max) return OTHER;
    seen.add(value);
    return value;
  };
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The HTTP method, upper case, or `other` for anything outside the usual verbs. */
export const methodLabel = (method: string | undefined): string => {
  const m = (method ?? 'GET').toUpperCase();
  return METHODS.has(m) ? m : OTHER;
};

/** A status code as sent (100–599), `aborted` when the client left before the answer was finished. */
export const statusLabel = (status: number | 'aborted'): string => {
  if (status === 'aborted') return status;
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER;
};
