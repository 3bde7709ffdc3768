import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappingFile, parseMappingText } from '../../../src/adapters/crm/mapping-file.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';

describe('CRM_MAPPING_FILE', () => {
  it('every problem with its file, line and path, in file order', () => {
    const text = [
      'version: 1',
      'hubspot:',
      '  deals:',
      '    fields:',
      '      region: sales region',
      '      ownr: hubspot_owner_id',
      '      next_step: { first: [hs_next_step, 7] }',
      '  contacts:',
      '    sync: maybe',
    ].join('\n');
    const r = parseMappingText(text, 'mapping.yaml');
    expect(r).toEqual({
      ok: false,
      problems: [
        'mapping.yaml:5: hubspot.deals.fields.region: "sales region" is not a property name (letters, digits, _ and ., up to 100)',
        expect.stringMatching(
          /^mapping\.yaml:6: hubspot\.deals\.fields: unknown key 'ownr' \(expected name, /,
        ),
        'mapping.yaml:7: hubspot.deals.fields.next_step.first[1]: expected a property name, null, or one of {property, company, owner, stage, record, value, first, latest, join}',
        'mapping.yaml:9: hubspot.contacts.sync: expected true or false',
      ],
    });
  });

  it('YAML that does not parse says where', () => {
    const r = parseMappingText('version: 1\nhubspot: [unclosed', 'm.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatch(/^m\.yaml:2: not valid YAML: /);
  });

  it('no file: the defaults; a file that cannot be read says why', () => {
    expect(loadMappingFile(null)).toEqual({ ok: true, mapping: DEFAULT_CRM_MAPPING });
    expect(loadMappingFile('/nonexistent/mapping.yaml')).toEqual({
      ok: false,
      problems: ['CRM_MAPPING_FILE /nonexistent/mapping.yaml: cannot be read (ENOENT)'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'crm-map-'));
    const file = join(dir, 'mapping.yaml');
    writeFileSync(file, 'version: 1\nhubspot:\n  deals:\n    fields:\n      region: sales_region\n');
    const r = loadMappingFile(file);
    expect(r.ok && r.mapping.hubspot.deals.fields.region).toEqual({ kind: 'property', name: 'sales_region' });
  });
});
