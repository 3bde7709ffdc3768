import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvParser, CsvReader, type CsvRow, openCsvFile } from '../../../src/adapters/csv/reader.ts';

/** Parses text delivered as the given pieces, through the synchronous parser. */
function parsePieces(pieces: readonly string[], maxRecordChars?: number): CsvRow[] {
  const p = new CsvParser(maxRecordChars === undefined ? {} : { maxRecordChars });
  const out: CsvRow[] = [];
  for (const piece of pieces) p.push(piece, out);
  p.end(out);
  return out;
}
const parse = (text: string): CsvRow[] => parsePieces([text]);

async function readAll(chunks: readonly (Buffer | string)[]): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of new CsvReader(Readable.from(chunks, { objectMode: false }))) rows.push(row);
  return rows;
}

describe('CsvParser', () => {
  it('reads plain records with line numbers, header on line 1', () => {
    expect(parse('id,type\n1,lead\n2,opp\n')).toEqual([
      { line: 1, fields: ['id', 'type'] },
      { line: 2, fields: ['1', 'lead'] },
      { line: 3, fields: ['2', 'opp'] },
    ]);
  });

  it('handles quoted commas, doubled quotes and empty fields', () => {
    expect(parse('a,"b,c","say ""hi""",,""\n')).toEqual([
      { line: 1, fields: ['a', 'b,c', 'say "hi"', '', ''] },
    ]);
  });

  it('counts embedded newlines so later records keep their physical line', () => {
    const rows = parse('h1,h2\n1,"two\nlines"\n2,"three\r\nline\nnote"\n3,x\n');
    expect(rows).toEqual([
      { line: 1, fields: ['h1', 'h2'] },
      { line: 2, fields: ['1', 'two\nlines'] },
      { line: 4, fields: ['2', 'three\r\nline\nnote'] },
      { line: 7, fields: ['3', 'x'] },
    ]);
  });

  it('treats CRLF like LF, keeps a lone CR as data, and needs no trailing newline', () => {
    expect(parse('a,b\r\nc,"d"\r\ne\rf,g')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
      { line: 3, fields: ['e\rf', 'g'] },
    ]);
    expect(parse('a,b\r')).toEqual([{ line: 1, fields: ['a', 'b'] }]);
  });

  it('strips a UTF-8 BOM from the first field only', () => {
    expect(parse('\uFEFFid,x\n\uFEFF1,y')).toEqual([
      { line: 1, fields: ['id', 'x'] },
      { line: 2, fields: ['\uFEFF1', 'y'] },
    ]);
  });

  it('skips blank lines but counts them', () => {
    expect(parse('a\n\n\r\nb\n\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['b'] },
    ]);
  });

  it('keeps a trailing comma as an empty last field', () => {
    expect(parse('a,b,\n,\n')).toEqual([
      { line: 1, fields: ['a', 'b', ''] },
      { line: 2, fields: ['', ''] },
    ]);
  });

  it('takes a quote inside an unquoted field literally', () => {
    expect(parse('a,5" pipe,"c"\n')).toEqual([{ line: 1, fields: ['a', '5" pipe', 'c'] }]);
  });

  it('flags text after a closing quote but keeps parsing', () => {
    expect(parse('"a"b,c\nd,e\n')).toEqual([
      { line: 1, fields: ['ab', 'c'], error: 'unexpected text after closing quote in column 1' },
      { line: 2, fields: ['d', 'e'] },
    ]);
  });

  it('reports an unterminated quote at EOF as a row error', () => {
    expect(parse('h\n1,ok\n2,"never\nclosed\n')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, fields: ['1', 'ok'] },
      { line: 3, fields: ['2', 'never\nclosed\n'], error: 'unterminated quoted field (opened on line 3)' },
    ]);
  });

  it('gives up on an overlong record and resumes on the next line', () => {
    const text = `h\n1,"stray\n${'2,x\n'.repeat(20)}`;
    const rows = parsePieces(text.match(/[\s\S]{1,7}/g) ?? [], 30);
    expect(rows[0]).toEqual({ line: 1, fields: ['h'] });
    expect(rows[1]).toEqual({
      line: 2,
      fields: [],
      error: 'record longer than 30 characters (unterminated quote?)',
    });
    expect(rows.slice(2)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ line: i + 3, fields: ['2', 'x'] })),
    );
  });

  it('drops an overlong line with no newline in sight until its end', () => {
    const rows = parsePieces(['h\n', 'y'.repeat(40), 'y'.repeat(40), 'y\nz\n'], 30);
    expect(rows).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, fields: [], error: 'record longer than 30 characters (unterminated quote?)' },
      { line: 3, fields: ['z'] },
    ]);
  });

  const tricky =
    '\uFEFFid,"na""me",x\r\n1,"a,b","line\r\nbreak"\r\n\r\n2,"""q""",\n3,"",""""\n4,plain,"end"\n5,"open\n';

  it('gives identical rows whatever the chunk boundaries (every split point, two and three pieces)', () => {
    const whole = parse(tricky);
    expect(whole).toHaveLength(6);
    expect(whole[5]?.error).toMatch(/unterminated/);
    for (let i = 0; i <= tricky.length; i++) {
      expect(parsePieces([tricky.slice(0, i), tricky.slice(i)]), `split at ${i}`).toEqual(whole);
      for (let j = i; j <= tricky.length; j += 3) {
        const pieces = [tricky.slice(0, i), tricky.slice(i, j), tricky.slice(j)];
        expect(parsePieces(pieces), `split at ${i},${j}`).toEqual(whole);
      }
    }
    expect(parsePieces([...tricky]), 'one character at a time').toEqual(whole);
  });
});

describe('CsvReader', () => {
  it('decodes bytes split anywhere, including inside multi-byte characters', async () => {
    const text = 'id,name\n1,"Zoë, ☃ ""snow"""\n2,naïve 😀\n';
    const bytes = Buffer.from(`\uFEFF${text}`, 'utf8');
    const want = parse(text);
    expect(want[1]?.fields[1]).toBe('Zoë, ☃ "snow"');
    for (let i = 0; i <= bytes.length; i++) {
      expect(await readAll([bytes.subarray(0, i), bytes.subarray(i)]), `split at byte ${i}`).toEqual(want);
    }
  });

  it('counts bytes read and yields batches per chunk', async () => {
    const chunks = [Buffer.from('a,b\n1,'), Buffer.from('2\n3,4\n')];
    const reader = new CsvReader(Readable.from(chunks), { sizeBytes: 12 });
    const batches: CsvRow[][] = [];
    for await (const b of reader.batches()) batches.push(b);
    expect(batches.map((b) => b.map((r) => r.line))).toEqual([[1], [2, 3]]);
    expect(reader.bytesRead).toBe(12);
    expect(reader.sizeBytes).toBe(12);
  });

  it('accepts string chunks', async () => {
    expect(await readAll(['\uFEFFa,"b', '\nc"\n'])).toEqual([{ line: 1, fields: ['a', 'b\nc'] }]);
  });

  it('destroys the stream when the consumer stops early', async () => {
    const stream = Readable.from([Buffer.from('a\n'), Buffer.from('b\n'), Buffer.from('c\n')]);
    for await (const _row of new CsvReader(stream)) break;
    expect(stream.destroyed).toBe(true);
  });
});

describe('openCsvFile', () => {
  it('streams a file and knows its size; missing paths and directories are user errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-'));
    try {
      const file = join(dir, 'f.csv');
      await writeFile(file, 'a,b\n1,2\n');
      const reader = await openCsvFile(file);
      expect(reader.sizeBytes).toBe(8);
      const rows: CsvRow[] = [];
      for await (const r of reader) rows.push(r);
      expect(rows).toEqual([
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', '2'] },
      ]);
      await expect(openCsvFile(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(openCsvFile(dir)).rejects.toMatchObject({ code: 'VALIDATION' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
