import { CrmError } from '../../../app/crm/ports.ts';

/**
 * Salesforce's error answers as CrmErrors: REST and Bulk API errors are a list of
 * `{"message":…,"errorCode":…}`; the errorCode says who must act (the integration user's permissions,
 * the mapping's fields, the org's daily limit) or what the reader can recover from itself.
 */

/** A refusal with Salesforce's errorCode, for the readers that recover from one (an expired locator). */
export class SalesforceApiError extends CrmError {
  readonly errorCode: string | null;
  constructor(kind: CrmError['kind'], message: string, status: number, errorCode: string | null) {
    super(kind, message, status);
    this.errorCode = errorCode;
  }
}

export interface ErrorBody {
  message: string;
  errorCode: string | null;
}

const MAX_MESSAGE = 300;

/** REST and Bulk API errors are a list of `{message, errorCode}` (sometimes one object). */
export async function readError(res: Response): Promise<ErrorBody> {
  const text = await res.text().catch(() => '');
  let first: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    const o = Array.isArray(parsed) ? parsed[0] : parsed;
    if (o !== null && typeof o === 'object') first = o as Record<string, unknown>;
  } catch {}
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  return {
    message: (str(first['message']) ?? (text.trim() || res.statusText || 'no message')).slice(0, MAX_MESSAGE),
    errorCode: str(first['errorCode']),
  };
}

/** 4xx codes that mean the integration user lacks a permission rather than a broken credential. */
const PERMISSION_CODES = new Set([
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'FUNCTIONALITY_NOT_ENABLED',
]);
/** What a mapping naming a field or object the org does not have gets back. */
const QUERY_CODES = new Set([
  'INVALID_FIELD',
  'MALFORMED_QUERY',
  'INVALID_TYPE',
  'INVALID_QUERY_FILTER_OPERATOR',
]);

/** A 4xx that retrying will not fix: who must act, and Salesforce's own words. */
export function refusal(status: number, what: string, err: ErrorBody): SalesforceApiError {
  const code = err.errorCode ? ` ${err.errorCode}` : '';
  const e = (kind: CrmError['kind'], message: string) =>
    new SalesforceApiError(kind, message, status, err.errorCode);
  if (status === 401) return e('auth', `Salesforce refused the session (401${code}): ${err.message}`);
  if (err.errorCode === 'REQUEST_LIMIT_EXCEEDED')
    return e(
      'rate_limited',
      `Salesforce refused ${what}: the org's daily API request limit is reached (${status}${code}): ${err.message}`,
    );
  if (err.errorCode !== null && PERMISSION_CODES.has(err.errorCode))
    return e(
      'scopes',
      `Salesforce refused ${what}: the integration user lacks a permission (${status}${code}): ${err.message}`,
    );
  if (err.errorCode !== null && QUERY_CODES.has(err.errorCode))
    return e('config', `Salesforce refused the query of ${what} (${status}${code}): ${err.message}`);
  if (status === 403) return e('auth', `Salesforce refused ${what} (403${code}): ${err.message}`);
  return e('config', `Salesforce refused ${what} (${status}${code}): ${err.message}`);
}
