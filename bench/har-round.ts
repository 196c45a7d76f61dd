/**
 * One round of the HAR figures, shared by `npm run bench` (run.ts) and `bench/har-only.ts`, so
 * the two measure the same thing: the export against `JSON.stringify` of its HAR object, the
 * import against `JSON.parse` of the same text, each right next to its baseline.
 */

import { harText } from '../src/core/har/export.ts';
import { importHar } from '../src/core/har/import/index.ts';
import type { Chain } from '../src/core/model/chain.ts';
import { nodeGc } from './report.ts';

export interface HarStep {
  /** Wall time, ms. */
  ms: number;
  /** CPU time of the process (every thread, the garbage collector's too), ms. */
  cpuMs: number;
}

export interface HarRound {
  export: HarStep;
  stringify: HarStep;
  parse: HarStep;
  import: HarStep;
  /** The length of the exported text. */
  chars: number;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * A function that times one step; every step starts on a collected heap, so it pays for its own
 * garbage only (without it the export, measured first, paid for the previous round's import).
 */
export function stepTimer(): <T>(step: () => T) => { value: T } & HarStep {
  const gc = nodeGc();
  return (step) => {
    gc();
    const t = performance.now();
    const c = cpu();
    const value = step();
    return { value, ms: performance.now() - t, cpuMs: cpu() - c };
  };
}

/** The figures of a step, without what it made (a round keeps no big text or object alive). */
const step = ({ ms, cpuMs }: HarStep): HarStep => ({ ms, cpuMs });

/** A string in one piece, as a file write or a Blob needs it: the serializer's result is a rope. */
function flat(text: string): string {
  text.charCodeAt(text.length >> 1);
  return text;
}

/**
 * One round. `object` is `chainsToHar(chains, { includeSensitive: false })`, made once by the
 * caller. `parts` leaves out the export or the import pair.
 */
export function harRound(
  time: ReturnType<typeof stepTimer>,
  chains: readonly Chain[],
  object: unknown,
  parts: { export?: boolean; import?: boolean } = {},
): Partial<HarRound> {
  const round: Partial<HarRound> = {};
  let text: string | undefined;
  if (parts.export !== false) {
    // What the panel's Export does: the sanitized HAR, pretty-printed, made whole.
    const exported = time(() => flat(harText(chains, { includeSensitive: false })));
    // Its baseline: the same HAR object serialized as the file is written (2-space indent),
    // made whole the same way.
    const plain = time(() => flat(`${JSON.stringify(object, null, 2)}\n`));
    if (plain.value !== exported.value) throw new Error('the export is not JSON.stringify of its HAR object');
    if (/session=abc123|secret\d/.test(exported.value)) throw new Error('the exported HAR is not sanitized');
    round.export = step(exported);
    round.stringify = step(plain);
    text = exported.value;
  }
  if (parts.import !== false) {
    text ??= `${JSON.stringify(object, null, 2)}\n`;
    const source = text;
    round.parse = step(time(() => JSON.parse(source)));
    const imported = time(() => importHar(source, { source: 'bench.har' }));
    if (imported.value.chains.length !== chains.length) {
      throw new Error(`HAR import gave ${imported.value.chains.length} chains, not ${chains.length}`);
    }
    round.import = step(imported);
  }
  round.chars = text?.length;
  return round;
}
