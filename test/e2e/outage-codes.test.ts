import { describe, expect, it } from 'vitest';
import { databaseOutage } from '../../src/adapters/slack/listeners/outage.ts';

/**
 * Issue 17: which failures the Slack error boundary answers as a database outage (outage.test.ts shows the
 * answer end to end). The errors are shaped as postgres.js, PostgreSQL, fetch and @slack/web-api raise
 * them; a Slack or HTTP failure with the same network code must stay a bug with a reference.
 */
const netError = (code: string) =>
  Object.assign(new Error(`connect ${code} 10.0.0.5:5432`), {
    code,
    syscall: 'connect',
    address: '10.0.0.5',
  });
const pgError = (code: string) =>
  Object.assign(new Error('terminating connection'), { name: 'PostgresError', code });

describe('databaseOutage', () => {
  it.each([
    ['a refused connection', netError('ECONNREFUSED'), 'ECONNREFUSED'],
    ['a reset connection', netError('ECONNRESET'), 'ECONNRESET'],
    ['an unknown host', netError('ENOTFOUND'), 'ENOTFOUND'],
    [
      'a connection postgres.js lost',
      Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }),
      'CONNECTION_CLOSED',
    ],
    [
      'a login that timed out',
      Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' }),
      'CONNECT_TIMEOUT',
    ],
    ['the server shutting down', pgError('57P01'), '57P01'],
    ['the server starting up', pgError('57P03'), '57P03'],
    ['a connection exception', pgError('08006'), '08006'],
    [
      'DatabaseUnreachable',
      Object.assign(new Error('cannot reach the database'), { name: 'DatabaseUnreachable' }),
      'unreachable',
    ],
    [
      'a lost connection wrapped by a use case',
      new Error('scan failed', { cause: Object.assign(new Error('x'), { code: 'CONNECTION_ENDED' }) }),
      'CONNECTION_ENDED',
    ],
  ])('%s is an outage', (_what, err, code) => {
    expect(databaseOutage(err)).toBe(code);
  });

  it.each([
    ['a bug', new TypeError('cannot read properties of undefined')],
    ['a constraint violated', pgError('23505')],
    ['a fetch() that could not connect', new TypeError('fetch failed', { cause: netError('ECONNREFUSED') })],
    [
      'a Slack Web API call that could not connect',
      Object.assign(new Error('A request error occurred: connect ECONNREFUSED'), {
        code: 'slack_webapi_request_error',
        original: netError('ECONNREFUSED'),
      }),
    ],
    ['nothing at all', undefined],
  ])('%s is not', (_what, err) => {
    expect(databaseOutage(err)).toBeNull();
  });
});
