import { writeFile } from 'node:fs/promises';
import type { AnalyzedChain as Chain } from '../core/analyze/index.ts';
import { type HarExportOptions, harText } from '../core/har/export.ts';

/**
 * What a HAR file written by the CLI says about the recording (README "hopscope trace"):
 * `browser` becomes HAR 1.2's `log.browser`, `httpsUpgrades` becomes `log._hopscope.httpsUpgrades`.
 */
export type WriteHarOptions = Pick<HarExportOptions, 'includeSensitive' | 'browser' | 'httpsUpgrades' | 'rules'>;

/**
 * Writes a HAR file of the chains; sanitized unless asked otherwise (`true` as the third argument
 * is short for `{ includeSensitive: true }`).
 */
export async function writeHar(
  path: string,
  chains: readonly Chain[],
  options: WriteHarOptions | boolean = {},
): Promise<void> {
  await writeFile(path, harText(chains, typeof options === 'boolean' ? { includeSensitive: options } : options));
}
