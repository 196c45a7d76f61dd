/**
 * `hopscope sanitize IN.har [-o OUT]`: the sanitizer of src/core/har/sanitize.ts over any HAR,
 * streamed so that a file of any size goes through in bounded memory. The file is read twice,
 * entry by entry (stream-json's tokenizer, one entry assembled at a time): the first pass checks
 * that it is a HAR, counts its names (`--list`) and collects its secret values; the second
 * writes the sanitized file (exactly `JSON.stringify(sanitizeHar(doc), null, 2)`) to a temporary
 * file renamed over OUT once complete, so a failure never leaves a partial OUT.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import Assembler from 'stream-json/core/assembler.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { HarImportError, parseJson } from '../core/har/import/parse.ts';
import { HarSanitizer, type NameCount, NameInventory, NamePolicy } from '../core/har/sanitize.ts';
import { plural } from '../core/present/plural.ts';
import { printable } from '../core/present/text.ts';
import { UserError } from './browser.ts';

// ——— Reading a HAR as a stream of its parts ———

/** What a HAR is made of, in file order: members of the top level and of `log`, and each entry. */
export interface HarVisitor {
  /** A top-level member other than `log` (`where: 'root'`), or a member of `log` other than `entries`. */
  member?(where: 'root' | 'log', key: string, value: unknown): void;
  logStart?(): void;
  entriesStart?(): void;
  entry?(value: unknown, index: number): void;
  entriesEnd?(): void;
  logEnd?(): void;
}

/** Deeper than this, a file is refused: no tool writes a HAR like that, and printing it would overflow the stack. */
const MAX_DEPTH = 500;

class HarInputError extends UserError {}

function describeFirstToken(token: Token): string {
  switch (token.name) {
    case 'startArray':
      return 'an array';
    case 'stringValue':
      return 'a string';
    case 'numberValue':
      return 'a number';
    case 'trueValue':
    case 'falseValue':
      return 'a boolean';
    default:
      return 'null';
  }
}

/** The token state machine: root object → `log` object → `entries` array, everything else assembled whole. */
class HarReader {
  private state: 'start' | 'root' | 'log' | 'entries' | 'done' = 'start';
  private key: string | undefined;
  private asm: Assembler | undefined;
  private where: 'root' | 'log' | 'entries' = 'root';
  private sawLog = false;
  private sawEntries = false;
  entries = 0;

  constructor(
    private readonly visitor: HarVisitor,
    private readonly subject: string,
  ) {}

  private notHar(why: string): never {
    throw new HarInputError(`${this.subject} is JSON but not a HAR: ${why}`);
  }

  consume(token: Token): void {
    if (this.asm) {
      this.asm.consume(token);
      if (
        (token.name === 'startObject' || token.name === 'startArray') &&
        this.asm.depth + this.depthOutside() > MAX_DEPTH
      ) {
        throw new HarInputError(
          `${this.subject} nests values more than ${MAX_DEPTH} levels deep: no tool writes a HAR like that.`,
        );
      }
      if (this.asm.done) this.finishValue();
      return;
    }
    switch (this.state) {
      case 'start':
        if (token.name !== 'startObject') {
          this.notHar(`it holds ${describeFirstToken(token)}, where a HAR holds an object with a "log".`);
        }
        this.state = 'root';
        return;
      case 'root':
      case 'log':
        if (token.name === 'keyValue') {
          this.key = token.value;
          return;
        }
        if (token.name === 'endObject') {
          if (this.state === 'log') {
            if (!this.sawEntries) this.notHar('it has no log.entries array.');
            this.visitor.logEnd?.();
            this.state = 'root';
          } else {
            if (!this.sawLog) this.notHar('it has no "log" object with an entries array.');
            this.state = 'done';
          }
          return;
        }
        if (this.state === 'root' && this.key === 'log' && !this.sawLog) {
          if (token.name !== 'startObject') this.notHar('it has no "log" object with an entries array.');
          this.sawLog = true;
          this.state = 'log';
          this.visitor.logStart?.();
          return;
        }
        if (this.state === 'log' && this.key === 'entries' && !this.sawEntries) {
          if (token.name !== 'startArray') this.notHar('it has no log.entries array.');
          this.sawEntries = true;
          this.state = 'entries';
          this.visitor.entriesStart?.();
          return;
        }
        this.startValue(token, this.state);
        return;
      case 'entries':
        if (token.name === 'endArray') {
          this.visitor.entriesEnd?.();
          this.state = 'log';
          return;
        }
        this.startValue(token, 'entries');
        return;
      default:
        return;
    }
  }

  private depthOutside(): number {
    return this.where === 'root' ? 1 : this.where === 'log' ? 2 : 3;
  }

  private startValue(token: Token, where: 'root' | 'log' | 'entries'): void {
    this.where = where;
    this.asm = new Assembler();
    this.asm.consume(token);
    if (this.asm.done) this.finishValue();
  }

  private finishValue(): void {
    const value = (this.asm as Assembler).current as unknown;
    this.asm = undefined;
    if (this.where === 'entries') this.visitor.entry?.(value, this.entries++);
    else this.visitor.member?.(this.where, this.key ?? '', value);
  }

  get complete(): boolean {
    return this.state === 'done';
  }
}

function tokensOf(result: unknown): Token[] {
  if (result === none) return [];
  return isMany(result) ? (getManyValues(result) as Token[]) : [result as Token];
}

/** Where exactly the tokenizer gives up on a file: read again, the failing chunk a character at a time. */
async function locateSyntaxError(path: string, failingChunk: number): Promise<{ line: number; column: number }> {
  const parse = jsonParser({ streamValues: false });
  let line = 1;
  let column = 1;
  let index = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    const text = index === 0 && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    const pieces = index === failingChunk ? [...text] : [text];
    for (const piece of pieces) {
      try {
        parse(piece);
      } catch {
        return { line, column };
      }
      const newlines = piece.split('\n').length - 1;
      if (newlines) {
        line += newlines;
        column = piece.length - piece.lastIndexOf('\n');
      } else column += piece.length;
    }
    if (index++ === failingChunk) break;
  }
  return { line, column };
}

/** Files up to this size that are not JSON get the import's own message (V8 says where). */
const MAX_REPARSED_BYTES = 64 * 1024 * 1024;

/**
 * One sentence on why a file is not (complete) JSON: the import's message when the file is small
 * enough to parse whole, else the tokenizer's, located by reading again.
 */
async function notJson(
  path: string,
  subject: string,
  failure: { error?: unknown; chunk: number; read: number },
): Promise<HarInputError> {
  if ((await stat(path)).size <= MAX_REPARSED_BYTES) {
    try {
      parseJson(await readFile(path, 'utf8'), subject);
    } catch (error) {
      if (error instanceof HarImportError) return new HarInputError(error.message);
    }
  }
  if (failure.error === undefined) {
    return new HarInputError(
      `${subject} is not complete JSON (it ends at character ${failure.read}): it was probably cut off while saving, so export or download it again.`,
    );
  }
  const { line, column } = await locateSyntaxError(path, failure.chunk);
  const what = String((failure.error as Error)?.message ?? failure.error).replace(
    /^Parser (cannot parse input: |has )/,
    '',
  );
  return new HarInputError(
    `${subject} is not JSON (${what} at line ${line}, column ${column}): pick a HAR file (.har) as saved by the browser or tool.`,
  );
}

/**
 * Reads a HAR file once, calling the visitor for each part in order. `between` runs after each
 * chunk (about 64 kB) and may wait (for the output to drain). Errors are `UserError`s with one
 * clear sentence.
 */
export async function visitHar(
  path: string,
  subject: string,
  visitor: HarVisitor,
  between?: () => Promise<void> | undefined,
): Promise<{ entries: number }> {
  const parse = jsonParser({ streamValues: false });
  const reader = new HarReader(visitor, subject);
  let read = 0;
  let index = 0;
  let seen = false;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    const text = index === 0 && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    if (!seen && /\S/.test(text)) seen = true;
    let tokens: Token[];
    try {
      tokens = tokensOf(parse(text));
    } catch (error) {
      throw await notJson(path, subject, { error, chunk: index, read });
    }
    for (const token of tokens) reader.consume(token);
    read += text.length;
    index++;
    const wait = between?.();
    if (wait) await wait;
  }
  if (!seen) throw new HarInputError(`${subject} is empty: pick a HAR file (.har).`);
  let tail: Token[];
  try {
    tail = tokensOf(parse(none as unknown as string));
  } catch (error) {
    throw await notJson(path, subject, { error, chunk: index - 1, read });
  }
  for (const token of tail) reader.consume(token);
  if (!reader.complete) throw await notJson(path, subject, { chunk: index - 1, read });
  return { entries: reader.entries };
}

// ——— Writing: exactly JSON.stringify(doc, null, 2), a part at a time ———

/**
 * `value` as JSON.stringify(…, null, 2) writes it `depth` levels (of two spaces) deep: wrapped in
 * that many arrays, so JSON.stringify itself indents it, and unwrapped again.
 */
function indented(value: unknown, depth: number): string {
  let wrapped: unknown = value;
  let prefix = '';
  let suffix = '';
  for (let level = 0; level < depth; level++) {
    wrapped = [wrapped];
    prefix += `${'  '.repeat(level)}[\n`;
    suffix = `\n${'  '.repeat(level)}]${suffix}`;
  }
  const text = JSON.stringify(wrapped, null, 2);
  return text.slice(prefix.length + 2 * depth, text.length - suffix.length);
}

class HarWriter {
  private rootCount = 0;
  private logCount = 0;
  private entryCount = 0;
  private waiting: Promise<void> | undefined;
  private failed: Error | undefined;

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', (error: Error) => {
      this.failed = error;
    });
  }

  write(text: string): void {
    if (this.failed) throw this.failed;
    if (!this.out.write(text) && !this.waiting) {
      this.waiting = new Promise<void>((resolve) => this.out.once('drain', () => resolve())).finally(() => {
        this.waiting = undefined;
      });
    }
  }

  /** Resolves once the output has room again (undefined when it has now). */
  drained(): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    return this.waiting;
  }

  begin(): void {
    this.write('{');
  }

  rootMember(key: string, value: unknown): void {
    this.write(`${this.rootCount++ ? ',' : ''}\n  ${JSON.stringify(key)}: ${indented(value, 1)}`);
  }

  logStart(): void {
    this.write(`${this.rootCount++ ? ',' : ''}\n  "log": {`);
  }

  logMember(key: string, value: unknown): void {
    this.write(`${this.logCount++ ? ',' : ''}\n    ${JSON.stringify(key)}: ${indented(value, 2)}`);
  }

  entriesStart(): void {
    this.write(`${this.logCount++ ? ',' : ''}\n    "entries": [`);
  }

  entry(value: unknown): void {
    this.write(`${this.entryCount++ ? ',' : ''}\n      ${indented(value, 3)}`);
  }

  entriesEnd(): void {
    this.write(this.entryCount ? '\n    ]' : ']');
  }

  logEnd(): void {
    this.write(this.logCount ? '\n  }' : '}');
  }

  end(): void {
    this.write(this.rootCount ? '\n}\n' : '}\n');
  }
}

// ——— The command ———

export interface SanitizeOptions {
  output?: string;
  keep: string[];
  redact: string[];
  list?: boolean;
  json?: boolean;
  /** Not a flag: the keyed hash to use (tests fix the key); a random key per run otherwise. */
  hash?: (value: string) => string;
}

export interface SanitizeIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

const defaultIo = (): SanitizeIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** The hash the CLI uses: HMAC-SHA-256 under a random key drawn once per run. */
export function runKeyedHash(key: Uint8Array = randomBytes(32)): (value: string) => string {
  return (value) => createHmac('sha256', key).update(value).digest('hex');
}

/** Standard input copied to a temporary file (the sanitizer reads its input twice). */
async function spoolStdin(stdin: NodeJS.ReadableStream): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-sanitize-'));
  const path = join(dir, 'stdin.har');
  await pipeline(stdin, createWriteStream(path));
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function readable(path: string, name: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `cannot read ${name}: there is no such file.` : `cannot read ${name} (${code ?? error}).`,
    );
  }
  if (info.isDirectory()) throw new UserError(`cannot read ${name}: it is a folder; give a HAR file.`);
}

export function formatNameTable(rows: readonly NameCount[]): string {
  const head = { kind: 'KIND', name: 'NAME', count: 'COUNT', action: 'SANITIZED' };
  const cells = rows.map((r) => ({
    kind: r.kind,
    name: printable(r.name),
    count: r.count.toLocaleString('en-US'),
    action:
      r.action === '-'
        ? 'unchanged'
        : r.action === 'url'
          ? 'secret parameters hashed'
          : r.action === 'keep'
            ? 'kept'
            : 'hashed',
  }));
  const width = (key: keyof typeof head) => Math.max(head[key].length, ...cells.map((c) => c[key].length));
  const w = { kind: width('kind'), name: width('name'), count: width('count') };
  const line = (c: typeof head) =>
    `${c.kind.padEnd(w.kind)}  ${c.name.padEnd(w.name)}  ${c.count.padStart(w.count)}  ${c.action}`.trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

/** `hopscope sanitize`; resolves to the exit code (problems the user can fix are thrown as `UserError`). */
export async function runSanitize(input: string, opts: SanitizeOptions, io: SanitizeIo = defaultIo()): Promise<number> {
  const policy = new NamePolicy({ keep: opts.keep, redact: opts.redact });
  const conflicts = policy.conflicts();
  if (conflicts.length) {
    throw new UserError(
      `${conflicts.map((n) => `'${n}'`).join(', ')} is given both to --keep and to --redact: choose one.`,
    );
  }
  if (opts.list && opts.output !== undefined)
    throw new UserError('--list prints the names and writes no file: leave out -o.');
  if (opts.json && !opts.list) throw new UserError('--json goes with --list (the sanitized HAR is JSON already).');
  const toStdout = opts.output === undefined || opts.output === '-';
  if (!opts.list && opts.output === undefined && io.stdout.isTTY) {
    throw new UserError('give -o FILE for the sanitized HAR (or -o - to print it here).');
  }
  const fromStdin = input === '-';
  const name = fromStdin ? 'standard input' : input;
  const subject = `"${name}"`;
  if (!fromStdin) await readable(input, name);
  const spooled = fromStdin ? await spoolStdin(io.stdin) : undefined;
  const path = spooled?.path ?? input;
  try {
    const sanitizer = new HarSanitizer({ hash: opts.hash ?? runKeyedHash(), keep: opts.keep, redact: opts.redact });
    const inventory = opts.list ? new NameInventory() : undefined;
    // Pass 1: is it a HAR; its names; its secret values.
    const { entries } = await visitHar(path, subject, {
      entry: (entry) => {
        inventory?.add(entry);
        if (!inventory) sanitizer.collect(entry);
      },
    });
    if (inventory) {
      const rows = inventory.rows(policy);
      io.stdout.write(
        opts.json
          ? `${JSON.stringify({ entries, names: rows }, null, 2)}\n`
          : `${formatNameTable(rows)}\n${plural(entries, 'entry')}; SANITIZED is what hopscope sanitize does with the values (--keep NAME, --redact NAME change it).\n`,
      );
      return 0;
    }
    // Pass 2: write.
    const target = toStdout ? undefined : (opts.output as string);
    const temp = target
      ? join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
      : undefined;
    const stream: NodeJS.WritableStream = temp ? createWriteStream(temp, { flags: 'wx' }) : io.stdout;
    const writer = new HarWriter(stream);
    let commentSeen = false;
    try {
      writer.begin();
      await visitHar(
        path,
        subject,
        {
          member: (where, key, value) => {
            if (where === 'root') writer.rootMember(key, sanitizer.other(value));
            else if (key === 'comment') {
              commentSeen = true;
              writer.logMember(key, sanitizer.comment(value));
            } else writer.logMember(key, sanitizer.other(value));
          },
          logStart: () => writer.logStart(),
          entriesStart: () => writer.entriesStart(),
          entry: (entry) => writer.entry(sanitizer.entry(entry)),
          entriesEnd: () => writer.entriesEnd(),
          logEnd: () => {
            if (!commentSeen) writer.logMember('comment', sanitizer.comment(undefined));
            writer.logEnd();
          },
        },
        () => writer.drained(),
      );
      writer.end();
      if (temp) {
        await new Promise<void>((resolve, reject) => {
          (stream as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve()));
        });
        await rename(temp, target as string);
      }
    } catch (error) {
      if (temp) {
        (stream as WriteStream).destroy();
        await unlink(temp).catch(() => undefined);
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (target && code && /^E(NOENT|ACCES|PERM|ISDIR|NOTDIR|ROFS|NOSPC|EXIST)$/.test(code)) {
        throw new UserError(`cannot write ${target} (${code}): check the folder exists and can be written to.`);
      }
      throw error;
    }
    io.stderr.write(
      `hopscope: sanitized ${plural(entries, 'entry')} (${plural(sanitizer.replaced, 'value')} replaced)${target ? ` into ${printable(target)}` : ''}.\n`,
    );
    return 0;
  } finally {
    await spooled?.cleanup();
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `hopscope sanitize` to the program (main.ts). */
export function registerSanitize(program: Command): Command {
  return program
    .command('sanitize')
    .description(
      'Sanitize any HAR file: cookie, credential and token values replaced by keyed hashes (REDACTED:…), JWT signatures removed, secret URL parameters hashed. Streams large files.',
    )
    .argument('<in>', "the HAR file to sanitize ('-' reads standard input)")
    .option('-o, --output <file>', "where to write the sanitized HAR ('-' for standard output)")
    .option('--keep <name>', 'a header, cookie or parameter name to leave as it is (repeatable)', collect, [])
    .option('--redact <name>', 'a header, cookie or parameter name to hash too (repeatable)', collect, [])
    .option('--list', 'print the header, cookie, query and form names found, with their counts, and write nothing')
    .option('--json', 'with --list: print the names as JSON')
    .action(async (input: string, opts: SanitizeOptions) => {
      program.setOptionValue('exitCode', await runSanitize(input, opts));
    });
}
