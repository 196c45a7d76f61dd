/**
 * What one chain costs in storage.session: the JSON text the worker writes per chain, over
 * the recorded Chromium fixtures, against the same chains with their conclusions stored too
 * (hop index, cache verdict and its reason, method change, flags, repeats, summary: what the
 * store held before it kept facts only). storage.session counts the text byte for byte against
 * its 10 MB quota, so this is how many chains fit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/cli/browser.ts';
import { analyze } from '../src/core/analyze/index.ts';
import type { RequestEvent } from '../src/core/record/events.ts';
import { Recorder } from '../src/core/record/recorder.ts';
import { log } from './page-load.ts';
import { type Result, summarize } from './report.ts';

const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures', 'events');

export function storedBytes(): Result[] {
  let facts = 0;
  let withConclusions = 0;
  let chains = 0;
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const recorder = new Recorder();
    for (const e of JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as RequestEvent[]) recorder.handle(e);
    const { json = [], put } = recorder.takeChanges();
    for (const text of json) facts += text.length;
    for (const chain of put) withConclusions += JSON.stringify(analyze(chain)).length;
    chains += put.length;
  }
  log(`stored bytes: ${chains} chains, ${facts} B of facts, ${withConclusions} B with conclusions`);
  return [
    summarize('stored bytes per chain (recorded fixtures)', [facts / chains], 'B', null),
    summarize('  the same with conclusions stored (before)', [withConclusions / chains], 'B', null),
    summarize('  facts ÷ with conclusions', [facts / withConclusions], '×', 0.9),
  ];
}
