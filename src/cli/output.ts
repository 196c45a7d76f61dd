import { writeFile } from 'node:fs/promises';
import { harText } from '../core/har.ts';
import type { Chain } from '../core/types.ts';

/** Writes a HAR file of the chains; sanitized unless asked otherwise. */
export async function writeHar(path: string, chains: readonly Chain[], includeSensitive = false): Promise<void> {
  await writeFile(path, harText(chains, { includeSensitive }));
}
