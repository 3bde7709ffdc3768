import { describe, expect, it } from 'vitest';
import { renderIncidentAnswer } from '../../../src/adapters/slack/blocks/incident-replies.ts';
import { acknowledged, buildIncident, flat, HOSTILE, resolved } from './incident-fixtures.ts';

/** The ephemeral answers to incident buttons and `/leak note`. */
describe('renderIncidentAnswer', () => {
  it('a successful acknowledge says pages stop', () => {
    const r = renderIncidentAnswer({ action: 'ack', changed: true, incident: acknowledged() });
    expect(r.text).toBe(':white_check_mark: You acknowledged incident #42; pages stop.');
    expect(r.blocks).toHaveLength(1);
  });

  it('a second acknowledge names who was first', () => {
    const r = renderIncidentAnswer({
      action: 'ack',
      changed: false,
      incident: acknowledged(),
      reason: 'an incident that is acknowledged cannot acknowledge',
    });
    expect(r.text).toBe(':information_source: Already acknowledged by <@U456>.');
  });

  it('a click on a resolved incident says so, whichever button', () => {
    for (const action of ['ack', 'resolve'] as const)
      expect(renderIncidentAnswer({ action, changed: false, incident: resolved() }).text).toContain(
        'Incident #42 is already resolved by system (scheduled-scan).',
      );
  });

  it('a resolve and a note', () => {
    expect(renderIncidentAnswer({ action: 'resolve', changed: true, incident: resolved() }).text).toContain(
      'You resolved incident #42.',
    );
    expect(renderIncidentAnswer({ action: 'note', added: true, incident: buildIncident() }).text).toBe(
      ':memo: Note added to the timeline of incident #42.',
    );
    expect(renderIncidentAnswer({ action: 'note', added: false, incident: buildIncident() }).text).toContain(
      'Already noted',
    );
  });

  it('data-derived text cannot ping anyone', () => {
    const r = renderIncidentAnswer({
      action: 'ack',
      changed: false,
      incident: buildIncident({ acknowledgedBy: HOSTILE }),
      reason: HOSTILE,
    });
    const all = flat(r);
    for (const ping of ['<!channel>', '<!here>', '<!everyone>', '<!subteam^', '<@U0EVIL>', '<https://'])
      expect(all).not.toContain(ping);
  });
});
