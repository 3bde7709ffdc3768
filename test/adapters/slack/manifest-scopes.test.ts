import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseLeakCommand } from '../../../src/adapters/slack/listeners/parse-leak.ts';
import { parseRevopsCommand } from '../../../src/adapters/slack/listeners/parse-revops.ts';
import { parseSlaCommand } from '../../../src/adapters/slack/listeners/parse-sla.ts';

/**
 * Issue 10 item 18: manifest.yml asks for exactly what the code uses. The Web API methods, events and slash
 * commands are read out of the Slack adapter's source; the table below says which bot scopes each one needs
 * (Slack's method and event reference pages). A new call without a row fails here, and so does a scope or
 * event the manifest keeps after the code stopped needing it.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SLACK_SRC = join(ROOT, 'src/adapters/slack');

/**
 * Web API method → the bot scopes it needs here. Channel methods need the public-channel scope and the
 * private one, because INCIDENT_CHANNEL_PRIVATE decides which kind of incident channel the bot makes.
 */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  'auth.test': [],
  'views.publish': [],
  // chat:write.public: posting to ALERTS_CHANNEL, FIX_MANAGER_CHANNEL, SLA_REPORT_CHANNEL or ADMIN_CHANNEL
  // without the bot having been invited there.
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'conversations.create': ['channels:manage', 'groups:write'],
  'conversations.setTopic': ['channels:manage', 'groups:write'],
  'conversations.invite': ['channels:manage', 'groups:write'],
  'conversations.list': ['channels:read', 'groups:read'],
  // Reading a post back after a lost response (incident channels, and the commander's DM), and the message
  // a :stopwatch: reaction copies to the timeline.
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.open': ['im:write'],
  'pins.add': ['pins:write'],
  'usergroups.users.list': ['usergroups:read'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};
const EVENT_SCOPES: Record<string, readonly string[]> = {
  app_home_opened: [],
  reaction_added: ['reactions:read'],
};
const COMMAND_SCOPE = 'commands';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}
const code = sources(SLACK_SRC).join('\n');
const found = (re: RegExp) => [...new Set([...code.matchAll(re)].map((m) => m[1]!))].sort();
const methods = found(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\(/g);
const events = found(/\.event\(\s*'([a-z_]+)'/g);
const commands = found(/\.command\(\s*'(\/[a-z]+)'/g);

type Manifest = {
  features: { slash_commands: Array<{ command: string; description: string; usage_hint?: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] } };
};
const manifest = parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')) as Manifest;
const slash = (name: string) => manifest.features.slash_commands.find((c) => c.command === name)!;

describe('manifest.yml asks for what the code uses, and nothing else', () => {
  it('finds the calls in the source (the reader itself works)', () => {
    expect(methods).toEqual(expect.arrayContaining(['chat.postMessage', 'usergroups.users.list']));
    expect(events).toEqual(['app_home_opened', 'reaction_added']);
    expect(commands).toEqual(['/leak', '/revops', '/sla']);
  });

  it('every Web API method the code calls has a row in the scope table', () => {
    expect(methods.filter((m) => !(m in METHOD_SCOPES))).toEqual([]);
  });

  it('the bot scopes are exactly the ones those methods, events and commands need', () => {
    const needed = new Set([
      COMMAND_SCOPE,
      ...methods.flatMap((m) => METHOD_SCOPES[m] ?? []),
      ...events.flatMap((e) => EVENT_SCOPES[e] ?? []),
    ]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('subscribes to exactly the events a listener handles, and declares exactly its commands', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(events);
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(commands);
  });

  it('the /leak usage hint lists every subcommand the parser accepts, each in a form it accepts', () => {
    const hint = slash('/leak').usage_hint ?? '';
    // Each alternative, with its placeholders filled in, as a user would type it.
    const typed = hint
      .split('|')
      .map((alt) =>
        alt
          .trim()
          .replace(/[[\]]/g, '')
          .replace('<ISO time>', '2026-11-02T16:00:00Z')
          .replace('<text>', 'called the AE')
          .replace('day', '2026-11-02'),
      );
    const kinds = typed.map((t) => parseLeakCommand(t).kind);
    // LeakCommand's kinds, less the two for input it refuses.
    expect(kinds.sort()).toEqual(['help', 'note', 'revenue', 'scan', 'status', 'timeline']);
  });

  it('/sla is described as what it does today, with a usage hint the parser accepts', () => {
    const sla = slash('/sla');
    expect(sla.description).not.toMatch(/arriv|later|coming|soon/i);
    const alternatives = (sla.usage_hint ?? '').split('|').map((a) => a.trim().replace(/[[\]]/g, ''));
    expect(alternatives.map((a) => parseSlaCommand(a.replace('week', '2026-W47')).kind)).toContain('report');
  });

  it('the /revops usage hint names every subcommand, and each period and filter it shows parses', () => {
    const hint = slash('/revops').usage_hint ?? '';
    expect(slash('/revops').description).not.toMatch(/arriv|later|coming|soon/i);
    for (const view of ['pipeline', 'revenue', 'marketing', 'insights', 'digest', 'help'])
      expect(hint).toContain(view);
    // The bracketed period alternatives and filters, as a user would type them after a view.
    const periods = /\[(last 30d[^\]]*)\]/
      .exec(hint)![1]!
      .split('|')
      .map((p) => p.trim());
    expect(periods.length).toBeGreaterThanOrEqual(4);
    for (const p of periods) expect(parseRevopsCommand(`pipeline ${p}`).kind, p).toBe('view');
    const typed = 'marketing last 30d segment SMB owner Dana Whitfield channel Paid Search';
    expect(parseRevopsCommand(typed)).toMatchObject({
      kind: 'view',
      query: { view: 'marketing', segment: 'SMB', owner: 'Dana Whitfield', channel: 'Paid Search' },
    });
    expect(parseRevopsCommand('digest 2026-W48').kind).toBe('digest');
  });

  it('the README justifies every scope, in one table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.split(/^#+ /m).find((s) => s.startsWith('Slack scopes')) ?? '';
    const table = [...section.matchAll(/^\| `([a-z:.]+)` +\| (.+?) +\|$/gm)];
    expect(table.map((m) => m[1]).sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
    for (const [, , why] of table) expect(why!.length).toBeGreaterThan(10);
  });
});
