/**
 * The folder boundaries of README "Development", as biome.json (noRestrictedImports and
 * noRestrictedGlobals, one override per folder) and src/core/tsconfig.json (ES2023 only, no DOM,
 * no Node types) enforce them. Each case plants a probe file that breaks one rule in the folder
 * the rule guards, lints that file alone and removes it again, whatever happens.
 *
 * Probe names match `__boundary_probe_*`: .gitignore lists the pattern (an interrupted run never
 * leaves a file git would track, and `biome check .` skips it; so the probes are linted with
 * `--vcs-use-ignore-file=false`), and both tsconfigs exclude it (a `npm run typecheck` running
 * meanwhile never sees one). Names carry the process id and a random part: two runs at once do
 * not meet.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIOME = join(ROOT, 'node_modules/.bin/biome');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const RUN = `${process.pid}_${randomBytes(4).toString('hex')}`;
let probes = 0;

/** A fresh probe name, `__boundary_probe_<pid>_<random>_<n>__`. */
function probeName(): string {
  probes += 1;
  return `__boundary_probe_${RUN}_${probes}__`;
}

/**
 * Plants `files` in src/<folder> under a fresh probe name: a key that is an extension ('.ts')
 * is the probe file itself, src/<folder>/<probe>.ts; any other key is a file in a probe folder,
 * src/<folder>/<probe>/<key>. Runs `check` on their absolute paths (in key order), then removes
 * the probe file or folder whatever happened, and src/<folder> too if it was made for the probe
 * and is empty again.
 */
function withProbe<T>(folder: string, files: Record<string, string>, check: (paths: string[]) => T): T {
  const dir = join(ROOT, 'src', folder);
  const madeDir = existsSync(dir) ? undefined : mkdirSync(dir, { recursive: true });
  const name = probeName();
  const paths = Object.keys(files).map((sub) => (sub.startsWith('.') ? join(dir, name + sub) : join(dir, name, sub)));
  const top = Object.keys(files).some((sub) => !sub.startsWith('.')) ? join(dir, name) : undefined;
  try {
    for (const [i, text] of Object.values(files).entries()) {
      const path = paths[i] as string;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    return check(paths);
  } finally {
    for (const path of paths) rmSync(path, { force: true });
    if (top) rmSync(top, { recursive: true, force: true });
    if (madeDir) {
      try {
        rmdirSync(madeDir);
      } catch {
        // Someone put files there meanwhile: leave it.
      }
    }
  }
}

interface Diagnostic {
  line: number;
  rule: string;
  /** The whole diagnostic as printed: message, code frame, notes (a rule's custom message). */
  text: string;
}

interface Lint {
  status: number | null;
  output: string;
  diagnostics: Diagnostic[];
}

const HEADER = /^\S+:(\d+):\d+ (lint\/\S+)/;

function lint(path: string): Lint {
  const run = spawnSync(
    BIOME,
    ['lint', '--vcs-use-ignore-file=false', '--colors=off', '--max-diagnostics=none', relative(ROOT, path)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const output = `${run.stdout}${run.stderr}`;
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split('\n')) {
    const header = HEADER.exec(line);
    if (header) diagnostics.push({ line: Number(header[1]), rule: header[2] as string, text: '' });
    const last = diagnostics.at(-1);
    if (last) last.text += `${line}\n`;
  }
  return { status: run.status, output, diagnostics };
}

/** Each probe line that must fail: [line, rule, words of its message]. */
type Expected = [line: number, rule: 'noRestrictedImports' | 'noRestrictedGlobals', says: string];

function expectViolations(result: Lint, expected: Expected[], allowedLines: number[] = []): void {
  expect(result.status, result.output).toBe(1);
  for (const [line, rule, says] of expected) {
    const hit = result.diagnostics.find((d) => d.line === line && d.rule === `lint/style/${rule}`);
    expect(hit, `line ${line}: ${rule} expected\n${result.output}`).toBeDefined();
    expect(hit?.text.replace(/\s+/g, ' ')).toContain(says);
  }
  for (const line of allowedLines) {
    const hit = result.diagnostics.find((d) => d.line === line && d.rule.startsWith('lint/style/noRestricted'));
    expect(hit, `line ${line} is allowed\n${result.output}`).toBeUndefined();
  }
}

/** Words of each rule's message in biome.json. */
const CORE_PURE = 'src/core is pure: no browser or Node API.';
const CORE_INWARD = 'src/core imports only src/core';
const PAGE_TO_PAGE = 'A page never imports another page';
const WORKER_NO_UI = 'The service worker has no UI';
const UI_KIT = 'src/ui is the kit every page shares';
const CONTENT = 'it imports src/shared only';

describe('Biome: src/core is pure', () => {
  it('imports only core files, zod, zod/mini and har-format', () => {
    const source = [
      "import browser from 'webextension-polyfill';",
      "import { useState } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import { chromium } from 'playwright-core';",
      "import * as shared from '../shared/protocol.ts';",
      "import { z } from 'zod';",
      "import * as zm from 'zod/mini';",
      "import type { Entry } from 'har-format';",
      "import { parseUrl } from './model/url.ts';",
      'export const probe = [browser, useState, createRoot, readFileSync, join, chromium, shared, z, zm, parseUrl];',
      'export type Probe = Entry;',
      '',
    ].join('\n');
    withProbe('core', { '.ts': source }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedImports', CORE_PURE],
          [2, 'noRestrictedImports', CORE_PURE],
          [3, 'noRestrictedImports', CORE_PURE],
          [4, 'noRestrictedImports', CORE_PURE],
          [5, 'noRestrictedImports', CORE_PURE],
          [6, 'noRestrictedImports', CORE_PURE],
          [7, 'noRestrictedImports', CORE_INWARD],
        ],
        [8, 9, 10, 11],
      ),
    );
  });

  it('reaches no other folder through a relative path, from any depth', () => {
    const source = [
      "import * as background from '../../background/index.ts';",
      "import * as ui from '../../ui/connector/types.ts';",
      "import * as panel from '../../panel/App.tsx';",
      "import * as popup from '../../popup/Popup.tsx';",
      "import * as shared from '../../shared/protocol.ts';",
      "import * as cli from '../../cli/main.ts';",
      "import * as model from '../model/url.ts';",
      "import * as sibling from './sibling.ts';",
      "export const later = () => import('../../shared/storage-keys.ts');",
      'export const probe = [background, ui, panel, popup, shared, cli, model, sibling];',
      '',
    ].join('\n');
    withProbe('core', { 'deep.ts': source, 'sibling.ts': 'export const sibling = 1;\n' }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedImports', CORE_INWARD],
          [2, 'noRestrictedImports', CORE_INWARD],
          [3, 'noRestrictedImports', CORE_INWARD],
          [4, 'noRestrictedImports', CORE_INWARD],
          [5, 'noRestrictedImports', CORE_INWARD],
          [6, 'noRestrictedImports', CORE_INWARD],
          [9, 'noRestrictedImports', CORE_INWARD],
        ],
        [7, 8],
      ),
    );
  });

  it('uses no browser or Node global', () => {
    const source = [
      'export const title = document.title;',
      'export const id = chrome.runtime.id;',
      'export const api = browser.runtime;',
      'export const href = window.location.href;',
      'export const home = process.env.HOME;',
      'export const agent = navigator.userAgent;',
      "export const saved = localStorage.getItem('x');",
      'export const sneaky = globalThis.chrome;',
      'export const local = (location: string, document: string): string => location + document;',
      "export const fs = require('node:fs');",
      '',
    ].join('\n');
    withProbe('core', { '.ts': source }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedGlobals', 'src/core is pure: no DOM'],
          [2, 'noRestrictedGlobals', 'src/core is pure: no browser API'],
          [3, 'noRestrictedGlobals', 'src/core is pure: no browser API'],
          [4, 'noRestrictedGlobals', 'src/core is pure: no DOM'],
          [5, 'noRestrictedGlobals', 'src/core is pure: no Node API'],
          [6, 'noRestrictedGlobals', 'src/core is pure: no browser API'],
          [7, 'noRestrictedGlobals', 'src/core is pure: no storage API'],
          [8, 'noRestrictedGlobals', 'through globalThis'],
          [10, 'noRestrictedGlobals', 'src/core is pure: no Node API'],
        ],
        [9],
      ),
    );
  });

  it('passes a clean core file (control)', () => {
    const source = [
      "import type { Entry } from 'har-format';",
      "import * as z from 'zod/mini';",
      "import { parseUrl } from './model/url.ts';",
      '',
      'export const probeSchema = z.string();',
      "export const probeHost = (url: string): string => parseUrl(url)?.hostname ?? '';",
      'export const probeQuery = (url: string): string[] => [...new URL(url).searchParams.keys()];',
      'export type ProbeEntry = Entry;',
      '',
    ].join('\n');
    withProbe('core', { '.ts': source }, ([path]) => {
      const result = lint(path as string);
      expect(result.diagnostics, result.output).toEqual([]);
      expect(result.status, result.output).toBe(0);
      expect(result.output).toContain('Checked 1 file');
    });
  });
});

describe('Biome: the other folders', () => {
  it('src/popup imports no panel file', () => {
    const source = [
      "import { App } from '../panel/App.tsx';",
      "import '../panel/panel.css';",
      "import { parseUrl } from '../core/model/url.ts';",
      "import { useChains } from '../ui/use-chains.ts';",
      'export const probe = [App, parseUrl, useChains];',
      '',
    ].join('\n');
    withProbe('popup', { '.tsx': source }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedImports', PAGE_TO_PAGE],
          [2, 'noRestrictedImports', PAGE_TO_PAGE],
        ],
        [3, 4],
      ),
    );
  });

  it('src/panel imports no popup file', () => {
    const source = [
      "import { Popup } from '../popup/Popup.tsx';",
      "import { parseUrl } from '../core/model/url.ts';",
      "import { useChains } from '../ui/use-chains.ts';",
      'export const probe = [Popup, parseUrl, useChains];',
      '',
    ].join('\n');
    withProbe('panel', { '.tsx': source }, ([path]) =>
      expectViolations(lint(path as string), [[1, 'noRestrictedImports', PAGE_TO_PAGE]], [2, 3]),
    );
  });

  it('src/background imports no UI: src/ui, the pages, React', () => {
    const source = [
      "import { useChains } from '../ui/use-chains.ts';",
      "import { App } from '../panel/App.tsx';",
      "import { Popup } from '../popup/Popup.tsx';",
      "import { useState } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import { Recorder } from '../core/record/recorder.ts';",
      "import * as protocol from '../shared/protocol.ts';",
      "import browser from 'webextension-polyfill';",
      'export const probe = [useChains, App, Popup, useState, createRoot, Recorder, protocol, browser];',
      '',
    ].join('\n');
    withProbe('background', { '.ts': source }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedImports', WORKER_NO_UI],
          [2, 'noRestrictedImports', WORKER_NO_UI],
          [3, 'noRestrictedImports', WORKER_NO_UI],
          [4, 'noRestrictedImports', WORKER_NO_UI],
          [5, 'noRestrictedImports', WORKER_NO_UI],
        ],
        [6, 7, 8],
      ),
    );
  });

  it('src/ui imports no page and not the service worker', () => {
    const source = [
      "import { App } from '../panel/App.tsx';",
      "import { Popup } from '../popup/Popup.tsx';",
      "import * as worker from '../background/index.ts';",
      "import { parseUrl } from '../core/model/url.ts';",
      "import * as protocol from '../shared/protocol.ts';",
      "import { useState } from 'react';",
      'export const probe = [App, Popup, worker, parseUrl, protocol, useState];',
      '',
    ].join('\n');
    withProbe('ui', { '.tsx': source }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedImports', UI_KIT],
          [2, 'noRestrictedImports', UI_KIT],
          [3, 'noRestrictedImports', UI_KIT],
        ],
        [4, 5, 6],
      ),
    );
  });

  it('src/content imports src/shared only', () => {
    const source = [
      "import { parseUrl } from '../core/model/url.ts';",
      "import browser from 'webextension-polyfill';",
      "import { META_REFRESH_MESSAGE } from '../shared/protocol.ts';",
      "import * as shared from '../shared';",
      'export const probe = [parseUrl, browser, META_REFRESH_MESSAGE, shared];',
      '',
    ].join('\n');
    withProbe('content', { '.ts': source }, ([path]) =>
      expectViolations(
        lint(path as string),
        [
          [1, 'noRestrictedImports', CONTENT],
          [2, 'noRestrictedImports', CONTENT],
        ],
        [3, 4],
      ),
    );
  });
});

describe('TypeScript: src/core/tsconfig.json has no DOM and no Node types', () => {
  it('rejects document, chrome, process and node:fs in core, accepts URL', () => {
    const bad = [
      'export const title = document.title;',
      'export const id = chrome.runtime.id;',
      'export const home = process.env.HOME;',
      "export { readFileSync } from 'node:fs';",
      '',
    ].join('\n');
    const clean = [
      "import { parseUrl } from '../model/url.ts';",
      "export const probeHost = (url: string): string => parseUrl(url)?.hostname ?? '';",
      'export const probeQuery = (url: string): string[] => [...new URL(url).searchParams.keys()];',
      '',
    ].join('\n');
    // The core's compiler options, on just these files (and the core's platform.d.ts).
    const tsconfig = JSON.stringify({
      extends: '../tsconfig.json',
      files: ['bad.ts', 'clean.ts', '../platform.d.ts'],
      include: [],
    });
    withProbe('core', { 'bad.ts': bad, 'clean.ts': clean, 'tsconfig.json': tsconfig }, ([badPath, , config]) => {
      const run = spawnSync(TSC, ['--noEmit', '--pretty', 'false', '-p', config as string], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, output).not.toBe(0);
      const errors = output.split('\n').filter((line) => line.includes('error TS'));
      const bad = relative(ROOT, badPath as string);
      for (const [line, name] of [
        [1, 'document'],
        [2, 'chrome'],
        [3, 'process'],
      ] as const) {
        expect(
          errors.some((e) => e.startsWith(`${bad}(${line},`) && e.includes(`'${name}'`)),
          output,
        ).toBe(true);
      }
      expect(
        errors.some((e) => e.startsWith(`${bad}(4,`) && e.includes("'node:fs'")),
        output,
      ).toBe(true);
      expect(
        errors.filter((e) => !e.startsWith(bad)),
        output,
      ).toEqual([]);
    });
  });
});
