import { writeFile } from 'node:fs/promises';
import { chainsToHar } from '../core/har.ts';
import type { Chain } from '../core/types.ts';

/** Writes a HAR file of the chains; sanitized unless asked otherwise. */
export async function writeHar(path: string, chains: readonly Chain[], includeSensitive = false): Promise<void> {
  const har = chainsToHar(chains, { includeSensitive });
  await writeFile(path, `${JSON.stringify(har, null, 2)}\n`);
}
