/**
 * `hopscope sanitize` and `hopscope har`, run in-process (src/cli/sanitize.ts,
 * src/cli/har-command.ts): the streamed output is exactly the in-memory sanitizer's, bad input
 * gets one clear line and exit 2 with nothing written, `--list` counts right, and `har` prints
 * what the panel imports from every sample. tests/e2e/har-cli.test.ts runs the real command.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/browser.ts';
import { runHar } from '../../src/cli/har-command.ts';
import { chainReport } from '../../src/cli/report.ts';
import { runSanitize, type SanitizeOptions } from '../../src/cli/sanitize.ts';
import { analyze } from '../../src/core/analyze/index.ts';
import { importHar } from '../../src/core/har/import/index.ts';
import { NameInventory, NamePolicy, sanitizeHar } from '../../src/core/har/sanitize.ts';
import { writeLargeHar } from '../fixtures/hars-large/generate.ts';

const SAMPLES = fileURLToPath(new URL('../fixtures/hars/', import.meta.url));
const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.har'));
const dir = mkdtempSync(join(tmpdir(), 'hopscope-sanitize-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = Buffer.alloc(32, 7);
const hash = (v: string) => createHmac('sha256', KEY).update(v).digest('hex');

function io(stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return {
    io: { stdin: Readable.from([stdinText]), stdout, stderr },
    out: () => out,
    err: () => err,
  };
}

const opts = (extra: Partial<SanitizeOptions> = {}): SanitizeOptions => ({ keep: [], redact: [], hash, ...extra });

function parseFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

describe('hopscope sanitize', () => {
  it.each(samples)('streams %s to exactly what the in-memory sanitizer gives', async (name) => {
    const out = join(dir, `out-${name}`);
    const run = io();
    expect(await runSanitize(join(SAMPLES, name), opts({ output: out }), run.io)).toBe(0);
    const expected = `${JSON.stringify(sanitizeHar(parseFile(join(SAMPLES, name)), { hash }), null, 2)}\n`;
    expect(readFileSync(out, 'utf8')).toBe(expected);
    expect(run.err()).toMatch(/^hopscope: sanitized [\d,]+ entr(y|ies) \([\d,]+ values? replaced\) into /);
    // What the panel imports from it: as many chains, from as many entries.
    const before = importHar(readFileSync(join(SAMPLES, name), 'utf8'));
    const after = importHar(expected);
    expect(after.entries).toBe(before.entries);
    expect(after.chains.length).toBe(before.chains.length);
  });

  it('reads standard input and writes standard output with -', async () => {
    const har = readFileSync(join(SAMPLES, 'gatling__gatling__charles42-redirect-post.har'), 'utf8');
    const run = io(har);
    expect(await runSanitize('-', opts({ output: '-' }), run.io)).toBe(0);
    expect(run.out()).toBe(`${JSON.stringify(sanitizeHar(JSON.parse(har), { hash }), null, 2)}\n`);
  });

  it('streams a generated file the same way, with no secret left', async () => {
    const path = join(dir, 'large.har');
    const { secrets } = await writeLargeHar(path, 300_000);
    const out = join(dir, 'large.out.har');
    expect(await runSanitize(path, opts({ output: out }), io().io)).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(`${JSON.stringify(sanitizeHar(parseFile(path), { hash }), null, 2)}\n`);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('--list prints the names with their counts and what happens to them, and writes nothing', async () => {
    const path = join(dir, 'list.har');
    const { entries } = await writeLargeHar(path, 50_000);
    const table = io();
    expect(await runSanitize(path, opts({ list: true, keep: ['theme'] }), table.io)).toBe(0);
    const lines = table.out().split('\n');
    expect(lines[0]).toMatch(/^KIND\s+NAME\s+COUNT\s+SANITIZED$/);
    const n = entries.toLocaleString('en-US');
    const row = (kind: string, name: string, count: string, action: string) =>
      expect(
        lines.some((l) => new RegExp(`^${kind}\\s+${name}\\s+${count}  ${action}$`).test(l)),
        name,
      ).toBe(true);
    row('header', 'authorization', n, 'hashed');
    row('header', 'accept', n, 'unchanged');
    row('header', 'location', n, 'secret parameters hashed');
    row('cookie', 'theme', n, 'kept');
    expect(lines.some((l) => /^cookie\s+sid\s+[\d,]+\s+hashed$/.test(l))).toBe(true);
    expect(lines.some((l) => /^query\s+code\s+[\d,]+\s+hashed$/.test(l))).toBe(true);
    expect(lines.some((l) => /^query\s+page\s+[\d,]+\s+unchanged$/.test(l))).toBe(true);
    const json = io();
    expect(await runSanitize(path, opts({ list: true, json: true, keep: ['theme'] }), json.io)).toBe(0);
    const listed = JSON.parse(json.out());
    const inventory = new NameInventory();
    for (const e of (parseFile(path) as { log: { entries: unknown[] } }).log.entries) inventory.add(e);
    expect(listed).toEqual({ entries, names: inventory.rows(new NamePolicy({ keep: ['theme'] })) });
    const count = (kind: string, name: string) =>
      listed.names.find((r: { kind: string; name: string }) => r.kind === kind && r.name === name)?.count;
    expect(count('header', 'cookie')).toBe(entries);
    expect(count('header', 'set-cookie')).toBe(entries);
    // sid: once in each request's cookies array and once in each response's.
    expect(count('cookie', 'sid')).toBe(2 * entries);
    expect(count('query', 'code')).toBe(entries);
    expect(readdirSync(dir).filter((f) => f.startsWith('list'))).toEqual(['list.har']);
  });

  it.each([
    ['not-json.har', 'this is not JSON', /^"[^"]*not-json\.har" is not JSON \(unexpected token 'h'\): pick a HAR file/],
    ['cut.har', '{"log": {"entries": [{"request": {', /is not complete JSON \(unexpected end at character \d+\)/],
    [
      'array.har',
      '[{"log": {}}]',
      /is JSON but not a HAR: it holds an array, where a HAR holds an object with a "log"\.$/,
    ],
    ['nolog.har', '{"entries": []}', /is JSON but not a HAR: it has no "log" object with an entries array\.$/],
    ['noentries.har', '{"log": {"version": "1.2"}}', /is JSON but not a HAR: it has no log\.entries array\.$/],
    ['empty.har', '  \n', /is empty: pick a HAR file \(\.har\)\.$/],
    ['deep.har', `{"log": {"entries": [${'['.repeat(600)}${']'.repeat(600)}]}}`, /nests values more than 500 levels/],
  ])('%s: one clear line, exit 2, nothing written to OUT', async (name, content, message) => {
    const input = join(dir, name);
    writeFileSync(input, content);
    const out = join(dir, `${name}.out`);
    const error = await runSanitize(input, opts({ output: out }), io().io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(message);
    expect((error as UserError).message).not.toContain('\n');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(`.${name}.out`))).toEqual([]);
  });

  it('leaves an existing OUT as it was when the input is bad', async () => {
    const out = join(dir, 'existing.har');
    writeFileSync(out, 'previous');
    writeFileSync(join(dir, 'bad.har'), '{"log": {"entries": [1, 2');
    await expect(runSanitize(join(dir, 'bad.har'), opts({ output: out }), io().io)).rejects.toThrow(
      /not complete JSON/,
    );
    expect(readFileSync(out, 'utf8')).toBe('previous');
  });

  it.each([
    [{ keep: ['sid'], redact: ['SID'] }, /'sid' is given both to --keep and to --redact/],
    [{ list: true, output: 'x.har' }, /--list prints the names and writes no file/],
    [{ json: true, output: 'x.har' }, /--json goes with --list/],
  ])('usage problems are exit 2 (%j)', async (extra, message) => {
    const error = await runSanitize(join(SAMPLES, samples[0] as string), opts(extra), io().io).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(message);
  });

  it('an OUT that cannot be written is one line, exit 2', async () => {
    const out = join(dir, 'no-such-folder', 'out.har');
    const error = await runSanitize(join(SAMPLES, samples[0] as string), opts({ output: out }), io().io).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^cannot write .*out\.har \(ENOENT\): check the folder exists/);
  });

  it('a missing input file is one line, exit 2', async () => {
    await expect(runSanitize(join(dir, 'nope.har'), opts({ output: '-' }), io().io)).rejects.toThrow(
      /^cannot read .*nope\.har: there is no such file\.$/,
    );
  });

  it('refuses to print a HAR to a terminal without -o', async () => {
    const run = io();
    Object.assign(run.io.stdout, { isTTY: true });
    await expect(runSanitize(join(SAMPLES, samples[0] as string), opts(), run.io)).rejects.toThrow(/give -o FILE/);
  });
});

describe('hopscope har', () => {
  it('prints, for every sample, the chains the panel imports from it, as trace prints them', async () => {
    for (const name of samples) {
      const run = io();
      const code = await runHar([join(SAMPLES, name)], {}, run.io);
      const chains = importHar(readFileSync(join(SAMPLES, name), 'utf8'), { source: join(SAMPLES, name) }).chains.map(
        analyze,
      );
      expect(run.out(), name).toBe(chains.map((c) => chainReport(c)).join(''));
      // Exit 1 as trace decides it: a finding of severity error (the default --fail-on).
      expect(code, name).toBe(chains.some((c) => c.findings.some((f) => f.severity === 'error')) ? 1 : 0);
    }
  });

  it('--json prints the chains as JSON; --har writes them again as a Hopscope HAR', async () => {
    const file = join(SAMPLES, 'gatling__gatling__firefox56-redirect-post.har');
    const run = io();
    const out = join(dir, 'again.har');
    expect(await runHar([file], { json: true, har: out }, run.io)).toBe(0);
    const chains = importHar(readFileSync(file, 'utf8')).chains.map(analyze);
    expect(JSON.parse(run.out())).toEqual(JSON.parse(JSON.stringify(chains)));
    expect(importHar(readFileSync(out, 'utf8')).chains.map((c) => c.hops.map((h) => h.url))).toEqual(
      chains.map((c) => c.hops.map((h) => h.url)),
    );
    expect(run.err()).toMatch(/wrote 1 chain to /);
  });

  it('a broken file is one line on stderr and exit 2; the others are still printed', async () => {
    writeFileSync(join(dir, 'broken.har'), '{"log": ');
    const run = io();
    const good = join(SAMPLES, 'gatling__gatling__chrome61-redirect-post.har');
    expect(await runHar([join(dir, 'broken.har'), good], {}, run.io)).toBe(2);
    expect(run.err()).toMatch(/^hopscope: ".*broken\.har" is not complete JSON .*\n$/);
    expect(run.out()).toContain('303 See Other');
    const missing = io();
    expect(await runHar([join(dir, 'missing.har')], {}, missing.io)).toBe(2);
    expect(missing.err()).toMatch(/^hopscope: cannot read .*missing\.har: there is no such file\.\n$/);
  });

  it('--fail-on: a finding this severe or worse also exits 1', async () => {
    const file = join(SAMPLES, 'gatling__gatling__chrome61-redirect-post.har');
    const severities = importHar(readFileSync(file, 'utf8'))
      .chains.map(analyze)
      .flatMap((c) => c.findings.map((f) => f.severity));
    expect(severities).toContain('warning');
    expect(severities).not.toContain('error');
    expect(await runHar([file], { failOn: 'error' }, io().io)).toBe(0);
    const run = io();
    expect(await runHar([file], { failOn: 'warning' }, run.io)).toBe(1);
    expect(run.err()).toBe('hopscope: 1 chain with a finding at --fail-on warning or worse.\n');
    await expect(runHar([file], { failOn: 'loud' }, io().io)).rejects.toThrow(
      "--fail-on takes error, warning, info, never; got 'loud'.",
    );
  });

  it('reads standard input with -, and exits 1 when a chain ended in an error', async () => {
    const run = io(readFileSync(join(SAMPLES, 'micmro__PerfCascade__capture-har_redirect-loop.har'), 'utf8'));
    expect(await runHar(['-'], {}, run.io)).toBe(1);
    expect(run.out()).toContain('redirect loop');
    expect(run.err()).toContain('1 chain with a finding at --fail-on error or worse');
  });
});
