/** The output formats of `hopscope check`, and the one a file name asks for (no dependencies: read at start-up). */
import { extname } from 'node:path';

export const FORMATS = ['table', 'csv', 'json', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** The format a file name asks for: `.jsonl` → json, `.xml` → junit, … */
export function formatOfPath(path: string): Format | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return 'json';
  if (ext === '.csv') return 'csv';
  if (ext === '.xml') return 'junit';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt') return 'table';
  return undefined;
}
