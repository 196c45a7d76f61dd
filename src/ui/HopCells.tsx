/**
 * The cells of a hop that the panel's hop table and the popup's hop lines both show: method
 * (and its change), kind, cache verdict. Each explains itself on hover.
 */
import type { AnalyzedHop as Hop } from '../core/analyze/index.ts';
import { CACHE_LABELS, kindLabel, methodLabel } from '../core/present/labels.ts';

/** The method, or `POST → GET` highlighted when a redirect changed it. */
export function MethodCell({ hop }: { hop: Hop }) {
  const change = hop.methodChange;
  const cls = change?.kind === 'changed' ? ' changed' : change?.kind === 'kept' ? ' kept' : '';
  return (
    <span className={`method${cls}`} title={change?.reason}>
      {methodLabel(hop)}
    </span>
  );
}

/** server, internal (HSTS…) or client (meta refresh…). */
export function KindCell({ hop }: { hop: Hop }) {
  const title = hop.inferred
    ? 'The browser made this hop without telling extensions; Hopscope inferred it from the navigation'
    : undefined;
  return (
    <span className={`kind ${hop.kind}`} title={title}>
      {kindLabel(hop)}
    </span>
  );
}

/** The cache verdict; its reason on hover. */
export function CacheCell({ hop }: { hop: Hop }) {
  return (
    <span className={`cache ${hop.cache.verdict}`} title={hop.cache.reason}>
      {CACHE_LABELS[hop.cache.verdict]}
    </span>
  );
}
