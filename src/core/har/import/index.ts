/**
 * HAR import: a HAR file from any tool in, redirect chains (facts) out, in three steps: parse
 * (JSON, shape, entries), own (Hopscope's exports, rebuilt exactly) and link (any other tool's
 * entries, linked by redirect target). Every conclusion is derived afterwards by `analyze/`,
 * exactly as for recorded chains, so export → import → export gives the same document.
 */
import type { Chain } from '../../model/chain.ts';
import { plural } from '../../present/plural.ts';
import { linkChains } from './link.ts';
import { rebuildHopscopeChains } from './own.ts';
import {
  clip,
  describeJsonValue,
  HarImportError,
  HarSchema,
  harShapeMessage,
  parseJson,
  readEntries,
} from './parse.ts';

export { NOT_IN_HAR } from './own.ts';
export { HarImportError, MAX_IMPORT_ENTRIES } from './parse.ts';

export interface HarImportResult {
  /** Hopscope's chains first (file order), then chains linked from other entries (by start time). */
  chains: Chain[];
  /** Entries in the file, usable or not. */
  entries: number;
  /** Entries skipped and other things a user should know; one sentence each. */
  warnings: string[];
  /** `log.creator` name and version, e.g. `WebInspector 537.36`; '' when missing. */
  creator: string;
}

export interface HarImportOptions {
  /** The file name, used in error messages. */
  source?: string;
}

export function importHar(text: string, options: HarImportOptions = {}): HarImportResult {
  const subject = options.source ? `"${options.source}"` : 'This file';
  const data = parseJson(text, subject);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HarImportError(
      `${subject} is JSON but not a HAR: it holds ${describeJsonValue(data)}, where a HAR holds an object with a "log".`,
    );
  }
  const har = HarSchema.safeParse(data);
  if (!har.success) throw new HarImportError(harShapeMessage(har.error.issues, data, subject));
  const { log } = har.data;
  const creator = [log.creator?.name, log.creator?.version].filter(Boolean).join(' ').trim();
  const warnings: string[] = [];
  if (log.version?.trim() && !/^1\.[0-9]+$/.test(log.version.trim())) {
    warnings.push(`The file says HAR version "${clip(log.version, 40)}"; it was read as HAR 1.2.`);
  }
  const total = log.entries.length;
  if (total === 0) throw new HarImportError(`${subject} is a HAR with no entries: there is nothing to import.`);

  const recs = readEntries(log.entries, warnings);
  if (recs.length === 0) {
    throw new HarImportError(
      `${subject} has no usable entry: none of its ${plural(total, 'entry')} has a request method, a URL and a response status.`,
    );
  }

  const own = recs.filter((r) => r.hopscope);
  const others = recs.filter((r) => !r.hopscope);
  const chains = [...rebuildHopscopeChains(own, warnings), ...linkChains(others)];
  if (chains.length === 0) {
    warnings.push(
      `No redirect found: the ${plural(recs.length, 'request')} in this file were all answered without one.`,
    );
  }
  return { chains, entries: total, warnings, creator };
}
