import type { Hop } from '../model/chain.ts';
import type { MethodChange } from './types.ts';

/**
 * The method the browser uses for the next request (Fetch, "HTTP-redirect fetch", step 12):
 * 301/302 turn POST into GET; 303 turns anything but GET/HEAD into GET; 307/308 keep it.
 */
export function methodAfterRedirect(method: string, status: number): string {
  const m = method.toUpperCase();
  if ((status === 301 || status === 302) && m === 'POST') return 'GET';
  if (status === 303 && m !== 'GET' && m !== 'HEAD') return 'GET';
  return m;
}

export function describeMethodChange(
  hop: Pick<Hop, 'method' | 'statusCode' | 'kind'>,
  nextMethod: string,
): MethodChange {
  const from = hop.method.toUpperCase();
  const to = nextMethod.toUpperCase();
  const code = hop.statusCode;
  if (from !== to) {
    const bodyDropped = from !== 'GET' && from !== 'HEAD';
    let reason: string;
    if (code === 303) {
      reason = `303 See Other tells the browser to fetch the target with GET: ${from} became GET${bodyDropped ? ' and the request body was dropped' : ''} (RFC 9110 §15.4.4).`;
    } else if (code === 301 || code === 302) {
      reason = `After a ${code}, browsers turn a POST into a GET and drop the body, for historical reasons (RFC 9110 §15.4.${code === 301 ? 2 : 3}; Fetch, HTTP-redirect fetch). Use 307 or 308 to keep the method.`;
    } else {
      reason = `The method changed from ${from} to ${to}.`;
    }
    return { kind: 'changed', from, to, bodyDropped, reason };
  }
  if (from === 'GET' || from === 'HEAD') {
    return { kind: 'none', from, to, bodyDropped: false, reason: `${from} stays ${to}.` };
  }
  const reason =
    hop.kind === 'internal'
      ? `The browser's internal redirect repeats the request as it was: ${from} with its body.`
      : code === 307 || code === 308
        ? `${code} keeps the method and the body: the browser repeats the ${from} at the new URL (RFC 9110 §15.4.${code === 307 ? 8 : 9}).`
        : `${from} was kept.`;
  return { kind: 'kept', from, to, bodyDropped: false, reason };
}
