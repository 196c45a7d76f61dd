/**
 * Where an incognito window's worker keeps its chains. The manifest asks for "split" incognito
 * mode: once the user allows Hopscope in incognito, incognito tabs get a worker of their own
 * that sees only their events. But both workers share one `storage.session` (verified in
 * Chromium 150), so the incognito worker writes under keys the normal worker never reads
 * (`incognito/<session>/…`), and `<session>` is an id that only this incognito session knows:
 * it is kept in the CacheStorage of the incognito profile, which lives in memory and goes with
 * the last incognito window. A new incognito session removes what an earlier one left.
 */
import type { StorageAreaLike } from './persistence.ts';

export const INCOGNITO_KEY_PREFIX = 'incognito/';

/**
 * The id of this incognito session, remembered while the incognito profile lives. A new id is
 * kept only by `save()`, called once what earlier sessions left is removed; if CacheStorage
 * fails, the id lives as long as this worker.
 */
export async function incognitoSessionId(
  storage: CacheStorage = caches,
): Promise<{ id: string; isNew: boolean; save(): Promise<void> }> {
  try {
    const cache = await storage.open('hopscope-incognito-session');
    const known = await cache.match('/session-id');
    if (known) return { id: await known.text(), isNew: false, save: async () => undefined };
    const id = crypto.randomUUID();
    return { id, isNew: true, save: () => cache.put('/session-id', new Response(id)) };
  } catch (error) {
    console.warn('Hopscope: no incognito session id (CacheStorage); chains last as long as this worker', error);
    return { id: crypto.randomUUID(), isNew: true, save: async () => undefined };
  }
}

/**
 * A view of `area` in which only the keys under `prefix` exist (stripped of it). When the prefix
 * is new, the keys of earlier incognito sessions are removed first.
 */
export function incognitoArea(
  area: StorageAreaLike,
  session: Promise<{ id: string; isNew: boolean; save?(): Promise<void> }> = incognitoSessionId(),
): StorageAreaLike {
  const prefix = session.then(async ({ id, isNew, save }) => {
    if (isNew) {
      // Cleaned before the id is kept: a worker stopped in between cleans again next time.
      try {
        const stale = Object.keys(await area.get(null)).filter((k) => k.startsWith(INCOGNITO_KEY_PREFIX));
        if (stale.length) await area.remove(stale);
        await save?.();
      } catch (error) {
        console.warn('Hopscope: could not remove what an earlier incognito session left', error);
      }
    }
    return `${INCOGNITO_KEY_PREFIX}${id}/`;
  });
  const keysOf = (keys: string | string[], p: string) => (Array.isArray(keys) ? keys : [keys]).map((k) => p + k);
  return {
    async get(keys) {
      const p = await prefix;
      const all = await area.get(keys === null || keys === undefined ? null : keysOf(keys, p));
      const mine: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(all)) if (key.startsWith(p)) mine[key.slice(p.length)] = value;
      return mine;
    },
    async set(items) {
      const p = await prefix;
      return area.set(Object.fromEntries(Object.entries(items).map(([k, v]) => [p + k, v])));
    },
    async remove(keys) {
      return area.remove(keysOf(keys, await prefix));
    },
  };
}
