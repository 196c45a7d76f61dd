/**
 * Reading the lists `hopscope check` takes, streamed (memory stays flat for any length):
 * CSV/TSV with a header row (csv-parse), JSON Lines, a plain list of URLs, a sitemap.xml
 * (saxes), any of them gzipped. The kind comes from the file name, else from the content.
 *
 * Each line becomes its fields or a problem sentence, with its line number: a malformed line is
 * reported and the rest is still read. A missing file, a missing header or an unknown column is
 * a `UserError` (one line, exit 2), found before any URL is visited (`probeList`).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsvLine } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';
import { FIELDS, type Field, type Fields } from '../../core/check/expect.ts';
import type { InputKind } from '../../core/check/types.ts';
import { UserError } from '../browser.ts';

/** One line of a list: its fields, or what is wrong with it. */
export type RawLine = { line: number; fields: Fields } | { line: number; problem: string; text: string };

const BY_EXTENSION: Readonly<Record<string, InputKind>> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'jsonl',
  xml: 'sitemap',
  txt: 'list',
  list: 'list',
};

function displayName(path: string): string {
  return path === '-' ? 'standard input' : path;
}

/** A stream of the file's bytes, gunzipped when it is gzip, with its first chunk of text. */
async function openText(path: string): Promise<{ head: string; stream: Readable }> {
  let source: Readable;
  if (path === '-') source = process.stdin;
  else {
    try {
      const s = await stat(path);
      if (s.isDirectory()) throw new UserError(`${path} is a folder, not a list of URLs.`);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(
        `cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`,
      );
    }
    source = createReadStream(path);
  }
  let { first, stream } = await peek(source);
  if (first && first[0] === 0x1f && first[1] === 0x8b) {
    ({ first, stream } = await peek(stream.pipe(createGunzip())));
  }
  return { head: first ? first.subarray(0, 64 * 1024).toString('utf8') : '', stream };
}

/** The first chunk of a stream, and a stream that still yields everything. */
async function peek(source: Readable): Promise<{ first: Buffer | undefined; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await it.next();
  } catch (error) {
    throw new UserError(`cannot read the list: ${(error as Error).message.split('\n')[0]}.`);
  }
  const rest = async function* () {
    if (!first.done) yield first.value;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  };
  return {
    first: first.done ? undefined : Buffer.from(first.value),
    stream: Readable.from(rest(), { objectMode: false }),
  };
}

/** What a list is, from its name (`.csv`, `.jsonl`, `.xml`, … also gzipped) or its first bytes. */
export function detectKind(path: string, head: string): InputKind {
  const name = basename(path).toLowerCase().replace(/\.gz$/, '');
  const ext = name.includes('.') ? (name.split('.').pop() ?? '') : '';
  const byName = BY_EXTENSION[ext];
  if (byName && byName !== 'list') return byName;
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return 'sitemap';
  if (text.startsWith('{') || text.startsWith('[')) return 'jsonl';
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const header = firstLine.toLowerCase();
  if (/(^|[\t,;])\s*"?source"?\s*([\t,;]|$)/.test(header)) return firstLine.includes('\t') ? 'tsv' : 'csv';
  return 'list';
}

function columnsProblem(columns: string[], name: string): string | undefined {
  const known = new Set<string>(FIELDS);
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length) {
    return `${name}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `'${c}'`).join(', ')} in the header row. The columns are: ${FIELDS.join(', ')} (source required).`;
  }
  if (!columns.includes('source')) {
    return `${name}: the header row has no 'source' column. The first line must name the columns: ${FIELDS.join(', ')}.`;
  }
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) return `${name}: the column '${dup}' appears twice in the header row.`;
  return undefined;
}

/** Splits one CSV/TSV line: as it is without quotes, with csv-parse when it has any. */
function splitLine(text: string, delimiter: string): string[] {
  if (!text.includes('"')) return text.split(delimiter);
  const rows = parseCsvLine(text, { delimiter, relax_column_count: true }) as string[][];
  return rows[0] ?? [];
}

async function* lines(stream: Readable): AsyncGenerator<{ line: number; text: string }> {
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const raw of rl) {
    line++;
    yield { line, text: line === 1 ? raw.replace(/^\uFEFF/, '') : raw };
  }
}

async function* readDelimited(stream: Readable, kind: 'csv' | 'tsv', name: string): AsyncGenerator<RawLine> {
  let columns: Field[] | undefined;
  let delimiter = kind === 'tsv' ? '\t' : ',';
  for await (const { line, text } of lines(stream)) {
    if (!text.trim()) continue;
    if (!columns) {
      // A semicolon is what spreadsheets in many locales write: take it when the header uses it.
      if (kind === 'csv' && !text.includes(',') && text.includes(';')) delimiter = ';';
      let header: string[];
      try {
        header = splitLine(text, delimiter);
      } catch (error) {
        throw new UserError(`${name} line ${line}: the header row does not parse (${(error as Error).message}).`);
      }
      const names = header.map((c) => c.trim().toLowerCase());
      const problem = columnsProblem(names, name);
      if (problem) throw new UserError(problem);
      columns = names as Field[];
      continue;
    }
    let cells: string[];
    try {
      cells = splitLine(text, delimiter);
    } catch (error) {
      const why = (error as Error).message.replace(/ at line 1\b/, '').replace(/\.$/, '');
      yield { line, problem: `malformed ${kind.toUpperCase()} line: ${why}`, text };
      continue;
    }
    if (cells.length > columns.length) {
      yield {
        line,
        problem: `malformed ${kind.toUpperCase()} line: ${cells.length} fields, the header has ${columns.length}`,
        text,
      };
      continue;
    }
    const fields: Fields = {};
    columns.forEach((c, i) => {
      fields[c] = cells[i] ?? '';
    });
    yield { line, fields };
  }
  if (!columns) throw new UserError(`${name} is empty: give a header row (source, expected, …) and one URL a line.`);
}

function jsonFields(value: unknown): Fields | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fields: Fields = {};
  for (const [key, v] of Object.entries(value)) {
    const k = key.toLowerCase() as Field;
    if (!(FIELDS as readonly string[]).includes(k)) return `unknown key '${key}' (the keys are: ${FIELDS.join(', ')})`;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number') return `'${key}' is not a string or a number`;
    fields[k] = String(v);
  }
  if (fields.source === undefined) return "no 'source'";
  return fields;
}

async function* readJsonLines(stream: Readable, name: string): AsyncGenerator<RawLine> {
  let first = true;
  for await (const { line, text } of lines(stream)) {
    const t = text.trim();
    if (!t || t.startsWith('//')) continue;
    if (first && t.startsWith('[')) {
      throw new UserError(
        `${name} is a JSON array: give JSON Lines, one object a line ({"source": …, "expected": …}).`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (error) {
      yield { line, problem: `malformed JSON line: ${(error as Error).message}`, text };
      first = false;
      continue;
    }
    const fields = jsonFields(value);
    if (typeof fields === 'string') {
      // An unknown key on the first object is a list made for something else: say so once.
      if (first && fields.startsWith('unknown key')) throw new UserError(`${name} line ${line}: ${fields}.`);
      yield { line, problem: `malformed JSON line: ${fields}`, text };
    } else yield { line, fields };
    first = false;
  }
}

async function* readList(stream: Readable): AsyncGenerator<RawLine> {
  for await (const { line, text } of lines(stream)) {
    const t = text.trim();
    if (!t || t.startsWith('#')) continue;
    yield { line, fields: { source: t } };
  }
}

async function* readSitemap(stream: Readable, name: string): AsyncGenerator<RawLine> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const out: RawLine[] = [];
  const path: string[] = [];
  let loc: { line: number; text: string } | undefined;
  let failure: { line: number; message: string } | undefined;
  let root: string | undefined;
  parser.on('opentag', (tag) => {
    const local = tag.local ?? tag.name;
    if (!root) {
      root = local;
      if (local === 'sitemapindex') {
        failure = { line: parser.line, message: 'index' };
      }
    }
    path.push(local);
    if (local === 'loc' && path.at(-2) === 'url') loc = { line: parser.line, text: '' };
  });
  parser.on('text', (text) => {
    if (loc) loc.text += text;
  });
  parser.on('cdata', (text) => {
    if (loc) loc.text += text;
  });
  parser.on('closetag', () => {
    const local = path.pop();
    if (local === 'loc' && loc) {
      out.push({ line: loc.line, fields: { source: loc.text.trim() } });
      loc = undefined;
    }
  });
  parser.on('error', (error) => {
    failure ??= { line: parser.line, message: error.message };
    throw error;
  });
  const stop = () => {
    if (failure?.message === 'index') {
      throw new UserError(
        `${name} is a sitemap index (<sitemapindex>): give the sitemaps it lists, each a <urlset>, as the files to check.`,
      );
    }
  };
  try {
    for await (const chunk of stream) {
      parser.write((chunk as Buffer).toString('utf8'));
      stop();
      yield* out.splice(0);
    }
    parser.close();
  } catch (error) {
    if (error instanceof UserError) throw error;
    stop();
    yield* out.splice(0);
    const f = failure ?? { line: parser.line, message: (error as Error).message };
    const message = f.message.replace(/^[^:]*:\d+:\d+:\s*/, '');
    yield { line: f.line, problem: `malformed XML, the rest of ${name} is not read: ${message}`, text: '' };
    return;
  }
  yield* out.splice(0);
  if (root && root !== 'urlset') {
    throw new UserError(`${name} is XML but not a sitemap: its root is <${root}>, a sitemap's is <urlset>.`);
  }
}

export interface OpenedList {
  name: string;
  kind: InputKind;
  lines: AsyncGenerator<RawLine>;
  /** Stops reading and releases the file. */
  close(): void;
}

/** Opens a list: checks that it exists and what it is; reading starts when `lines` is iterated. */
export async function openList(path: string): Promise<OpenedList> {
  const name = displayName(path);
  const { head, stream } = await openText(path);
  const kind = detectKind(path, head);
  const read = (): AsyncGenerator<RawLine> => {
    switch (kind) {
      case 'csv':
      case 'tsv':
        return readDelimited(stream, kind, name);
      case 'jsonl':
        return readJsonLines(stream, name);
      case 'sitemap':
        return readSitemap(stream, name);
      case 'list':
        return readList(stream);
    }
  };
  return { name, kind, lines: read(), close: () => stream.destroy() };
}

/**
 * Reads a list's first line (its header, its first object) without visiting anything, so a
 * missing file, a missing or unknown column and an unknown key stop the command before Chromium
 * starts. Standard input cannot be read twice: it is probed when it is read.
 */
export async function probeList(path: string): Promise<InputKind> {
  if (path === '-') return 'list';
  const list = await openList(path);
  try {
    await list.lines.next();
  } finally {
    await list.lines.return(undefined);
    list.close();
  }
  return list.kind;
}
