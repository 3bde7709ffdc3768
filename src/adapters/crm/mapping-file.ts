import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type CrmMapping, DEFAULT_CRM_MAPPING, parseCrmMapping } from '../../domain/crm/mapping.ts';

/**
 * CRM_MAPPING_FILE read from disk: YAML parsed, then validated by the domain (domain/crm/mapping.ts).
 * Every problem is listed with the file, the line and the path of the key it is about
 * (`mapping.yaml:7: hubspot.deals.fields.owner: expected a property name`), so it can be fixed in one go.
 */

export type MappingFileResult = { ok: true; mapping: CrmMapping } | { ok: false; problems: string[] };

/** The line of the node at `keys` (or of its nearest existing parent). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  keys: readonly PropertyKey[],
  lc: LineCounter,
): number | null {
  let node: unknown = doc.contents;
  let line: number | null = null;
  const at = (n: unknown) => {
    const range = (n as Node | null)?.range;
    if (range) line = lc.linePos(range[0]).line;
  };
  at(node);
  for (const k of keys) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(k),
      );
      if (!pair) break;
      at(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof k === 'number') {
      node = node.items[k];
      at(node);
    } else break;
  }
  return line;
}

/** Parses the text of a mapping file; `name` is how problems name the file. */
export function parseMappingText(text: string, name: string): MappingFileResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      ok: false,
      problems: doc.errors.map(
        (e) => `${name}:${lc.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`,
      ),
    };
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) return { ok: false, problems: [`${name}: the file is empty`] };
  const parsed = parseCrmMapping(raw);
  if (parsed.ok) return parsed;
  // In file order, so they read top to bottom beside the file.
  const located = parsed.problems.map((p) => ({ p, line: lineOf(doc, p.keys, lc) }));
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    ok: false,
    problems: located.map(
      ({ p, line }) => `${name}${line === null ? '' : `:${line}`}: ${p.path}: ${p.message}`,
    ),
  };
}

/** The mapping from CRM_MAPPING_FILE, or the defaults without one. */
export function loadMappingFile(path: string | null): MappingFileResult {
  if (path === null) return { ok: true, mapping: DEFAULT_CRM_MAPPING };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      ok: false,
      problems: [
        `CRM_MAPPING_FILE ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      ],
    };
  }
  return parseMappingText(text, path);
}
