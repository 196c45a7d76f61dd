/**
 * Hopscope's own HAR: entries carry `_hopscope` (chain id, hop index and the facts HAR has no
 * field for), so chains are rebuilt exactly as exported; every conclusion is derived again.
 */
import type { Chain, ChainOutcome, Hop } from '../../model/chain.ts';
import { isTooManyRedirects } from '../../model/http.ts';
import { resourceTypeFromHar } from '../../present/resource-types.ts';
import type { HopscopeFields } from '../schema.ts';
import { clip, errorTextOf, hopOf, initiatorUrlOf, type Rec } from './parse.ts';

/** The error of a chain whose last redirect target is not among the file's entries. */
export const NOT_IN_HAR = 'not in HAR';

export function rebuildHopscopeChains(recs: readonly Rec[], warnings: string[]): Chain[] {
  const groups = new Map<string, Rec[]>();
  for (const rec of recs) {
    const id = (rec.hopscope as HopscopeFields).chainId;
    const group = groups.get(id);
    if (group) group.push(rec);
    else groups.set(id, [rec]);
  }
  const chains: Chain[] = [];
  for (const [id, group] of groups) {
    const fields = (rec: Rec) => rec.hopscope as HopscopeFields;
    group.sort((a, b) => fields(a).hopIndex - fields(b).hopIndex);
    const hops = group.map((rec) => ownHop(rec, fields(rec)));
    const first = fields(group[0] as Rec);
    const expected = first.hopCount;
    if (expected !== undefined && expected !== group.length) {
      warnings.push(`Chain ${clip(id, 60)} has ${group.length} of its ${expected} hops in this file.`);
    }
    const outcome = group.map(fields).find((f) => f.chainOutcome)?.chainOutcome ?? derivedOutcome(hops, group);
    const firstEntry = group[0]?.entry;
    const chain: Chain = {
      id,
      requestId: id.replace(/~\d+$/, ''),
      tabId: first.tabId,
      frameId: first.frameId,
      type: resourceTypeFromHar(firstEntry?._resourceType, first.frameId),
      startTime: hops[0]?.startTime ?? 0,
      hops,
      outcome: outcome as ChainOutcome,
    };
    const initiator = initiatorUrlOf(firstEntry);
    if (initiator) chain.initiator = initiator;
    if (outcome.state !== 'pending') chain.endTime = hops.at(-1)?.endTime ?? chain.startTime;
    else restoreUnderWay(chain, fields(group.at(-1) as Rec));
    chains.push(chain);
  }
  return chains;
}

function ownHop(rec: Rec, f: HopscopeFields): Hop {
  const hop = hopOf(rec, rec.entry.response.redirectURL);
  const errorText = errorTextOf(rec.entry);
  if (errorText) hop.error = errorText;
  if (f.kind) hop.kind = f.kind;
  if (f.internalReason) hop.internalReason = f.internalReason;
  else if (f.kind && f.kind !== 'internal') delete hop.internalReason;
  if (f.inferred) hop.inferred = true;
  if (hop.kind === 'client' && f.clientRedirect) {
    hop.clientRedirect = { type: f.clientRedirect.type, afterMs: f.clientRedirect.afterMs };
    if (f.clientRedirect.delaySeconds !== undefined) hop.clientRedirect.delaySeconds = f.clientRedirect.delaySeconds;
  }
  return hop;
}

/** The outcome when the file does not say: from the last hop. */
function derivedOutcome(hops: readonly Hop[], recs: readonly Rec[]): ChainOutcome {
  const last = hops.at(-1);
  const lastRec = recs.at(-1);
  const error = lastRec ? errorTextOf(lastRec.entry) : '';
  if (!last) return { state: 'error', error: NOT_IN_HAR };
  if (last.redirectUrl) {
    if (error && isTooManyRedirects(error)) return { state: 'error', error, tooManyRedirects: true };
    return { state: 'error', error: error || NOT_IN_HAR };
  }
  if (error) return { state: 'error', error };
  if (last.statusCode === 0) return { state: 'error', error: 'no response' };
  return { state: 'completed', statusCode: last.statusCode };
}

/**
 * A chain exported while its next request was under way: HAR has no entry for that request,
 * but the last hop's `methodChange` names its method, so the chain reads as it did.
 */
function restoreUnderWay(chain: Chain, last: HopscopeFields): void {
  const hop = chain.hops.at(-1);
  if (!hop?.redirectUrl || hop.kind === 'client' || !last.methodChange) return;
  chain.pending = { url: hop.redirectUrl, method: last.methodChange.to, startTime: hop.endTime, requestHeaders: [] };
}
