/**
 * Writing `hopscope check` results as they come, in the order of the list: a table for the
 * terminal, JSON Lines, CSV (csv-stringify), Markdown, or JUnit XML (xmlbuilder2). Each row is
 * written once its turn comes and then forgotten, so memory stays flat for any list. JUnit needs
 * its counts on the first element: its test cases go to a temporary file, then into the
 * document once the summary is known.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { create, fragment } from 'xmlbuilder2';
import {
  CSV_COLUMNS,
  findingLabel,
  MARKDOWN_HEADER,
  rowCsvRecord,
  rowJson,
  rowMarkdown,
  rowTable,
  summaryJson,
  summaryMarkdown,
  summaryText,
} from '../../core/check/format.ts';
import type { CheckRow, CheckSummary } from '../../core/check/types.ts';
import { printable } from '../../core/present/text.ts';
import type { Format } from './formats.ts';

export interface SinkOptions {
  format: Format;
  /** Where results go; standard output when absent. */
  out?: string;
  /** Continue an earlier output (`--resume` of the same file): no header again. */
  append?: boolean;
  /** Rows carry their input file (more than one list). */
  withFile: boolean;
  /** Called around each write to a terminal that also shows the progress line. */
  around?: (write: () => void) => void;
  /** Where the summary goes when the results do not carry it (CSV). */
  notes: Writable;
  /** Standard output. */
  stdout: Writable;
}

export interface RowSink {
  write(row: CheckRow, ms: number): Promise<void>;
  /** Writes the summary (where the format has one) and closes a file. */
  finish(summary: CheckSummary): Promise<void>;
}

class Output {
  private constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
    private readonly around?: (write: () => void) => void,
  ) {}

  static open(
    stdout: Writable,
    out: string | undefined,
    append: boolean,
    around?: (write: () => void) => void,
  ): Output {
    if (!out) return new Output(stdout, false, around);
    return new Output(createWriteStream(out, { flags: append ? 'a' : 'w' }), true);
  }

  async write(text: string): Promise<void> {
    let ok = true;
    const write = () => {
      ok = this.stream.write(text);
    };
    if (this.around) this.around(write);
    else write();
    if (!ok) await once(this.stream, 'drain');
  }

  async pipeFile(path: string): Promise<void> {
    for await (const chunk of createReadStream(path)) await this.write((chunk as Buffer).toString('utf8'));
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export async function openSink(opts: SinkOptions): Promise<RowSink> {
  const out = Output.open(opts.stdout, opts.out, opts.append ?? false, opts.out ? undefined : opts.around);
  switch (opts.format) {
    case 'table':
      return {
        write: (row) => out.write(`${rowTable(row)}\n`),
        finish: async (s) => {
          await out.write(`\n${summaryText(s)}\n`);
          await out.close();
        },
      };
    case 'json':
      return {
        write: (row) => out.write(`${rowJson(row)}\n`),
        finish: async (s) => {
          await out.write(`${summaryJson(s)}\n`);
          await out.close();
        },
      };
    case 'csv': {
      const columns = opts.withFile ? [...CSV_COLUMNS, 'file'] : [...CSV_COLUMNS];
      if (!opts.append) await out.write(stringify([columns]));
      return {
        write: (row) => out.write(stringify([rowCsvRecord(row, opts.withFile)])),
        finish: async (s) => {
          await out.close();
          opts.notes.write(`hopscope check: ${summaryText(s)}\n`);
        },
      };
    }
    case 'markdown':
      if (!opts.append) await out.write(`${MARKDOWN_HEADER}\n`);
      return {
        write: (row) => out.write(`${rowMarkdown(row)}\n`),
        finish: async (s) => {
          await out.write(summaryMarkdown(s));
          await out.close();
        },
      };
    case 'junit':
      return junitSink(out);
  }
}

/** Text that XML 1.0 can carry: control characters (escape sequences from a server) made visible. */
const xmlText = (text: string) => printable(text);

function testCase(row: CheckRow, ms: number): string {
  const file = row.file ? basename(row.file) : 'list';
  const tc = fragment({ invalidCharReplacement: '\uFFFD' }).ele('testcase', {
    classname: `hopscope.check.${xmlText(file)}`,
    name: xmlText(`${row.source || `line ${row.line}`}`),
    time: (ms / 1000).toFixed(3),
  });
  const details = [
    `line ${row.line}${row.file ? ` of ${row.file}` : ''}`,
    row.expected ? `expected: ${row.expected}` : '',
    row.final ? `final: ${row.final} (${row.status})` : '',
    row.path ? `hops: ${row.path}` : '',
    ...row.findings.map((f) => `${findingLabel(f)}: ${f.message}`),
  ]
    .filter(Boolean)
    .map(xmlText)
    .join('\n');
  if (row.verdict === 'invalid') {
    tc.ele('error', { message: xmlText(`invalid: ${row.reason}`), type: 'invalid' }).txt(details);
  } else if (row.verdict !== 'pass') {
    tc.ele('failure', { message: xmlText(`${row.verdict}: ${row.reason}`), type: row.verdict }).txt(details);
  } else {
    tc.ele('system-out').txt(details);
  }
  return `${tc.end({ prettyPrint: true })}\n`;
}

async function junitSink(out: Output): Promise<RowSink> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-junit-'));
  const cases = join(dir, 'cases.xml');
  const body = createWriteStream(cases);
  return {
    write: async (row, ms) => {
      if (!body.write(testCase(row, ms))) await once(body, 'drain');
    },
    finish: async (s) => {
      body.end();
      await once(body, 'finish');
      const marker = '@@hopscope-test-cases@@';
      const attrs = {
        name: 'hopscope check',
        tests: String(s.total),
        failures: String(s.failed - s.verdicts.invalid),
        errors: String(s.verdicts.invalid),
        skipped: '0',
        time: s.seconds.toFixed(3),
      };
      const doc = create({ version: '1.0', encoding: 'UTF-8' })
        .ele('testsuites', attrs)
        .ele('testsuite', { ...attrs, timestamp: new Date().toISOString().slice(0, 19) })
        .ele('properties')
        .ele('property', { name: 'summary', value: summaryText(s) })
        .up()
        .ele('property', { name: 'fail-on', value: s.failOn })
        .up()
        .up()
        .txt(marker)
        .doc()
        .end({ prettyPrint: true });
      const at = doc.indexOf(marker);
      await out.write(`${doc.slice(0, at).trimEnd()}\n`);
      await out.pipeFile(cases);
      await out.write(doc.slice(at + marker.length).replace(/^\s*\n/, ''));
      await out.write('\n');
      await out.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
