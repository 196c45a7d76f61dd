import { writeFile } from 'node:fs/promises';
import type { AnalyzedChain as Chain } from '../core/analyze/index.ts';
import { harText } from '../core/har/export.ts';

/** Writes a HAR file of the chains; sanitized unless asked otherwise. */
export async function writeHar(path: string, chains: readonly Chain[], includeSensitive = false): Promise<void> {
  await writeFile(path, harText(chains, { includeSensitive }));
}
