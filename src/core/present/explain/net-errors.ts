/**
 * Network errors in words: what a browser's net error means (`short` for headlines, `long` for
 * explanations) and, where there is something to try, what to do (`advice`, as `hopscope trace`
 * says it). One catalogue for the panel, the popup and the terminal.
 */
import { MAX_REDIRECTS } from '../../model/http.ts';
import { printable } from '../text.ts';

export interface NetError {
  /** A few words for headlines: "connection refused". */
  short: string;
  /** What it means and what to check. */
  long: string;
  /**
   * What to do, when there is something to try, in the terms of `hopscope trace` (its
   * `--browser-arg` option named): the end of its one-line report on a failed visit.
   */
  advice?: string;
}

const NET_ERRORS: Readonly<Record<string, NetError>> = {
  ERR_CONNECTION_REFUSED: {
    short: 'connection refused',
    long: 'The host name resolved, but nothing accepted the connection: no server is listening on that port, or a firewall rejected it.',
    advice: 'nothing is listening there: check the host and port, or start the server',
  },
  ERR_NAME_NOT_RESOLVED: {
    short: 'host name not found',
    long: 'The host name could not be resolved (DNS): a typo, a domain that does not exist (any more), or a DNS problem on this network.',
    advice:
      'the host name does not resolve: check its spelling, or map it with --browser-arg=--host-resolver-rules="MAP host 127.0.0.1"',
  },
  ERR_NAME_RESOLUTION_FAILED: {
    short: 'DNS lookup failed',
    long: 'The DNS lookup itself failed: the resolver could not be reached or gave no usable answer.',
  },
  ERR_ABORTED: {
    short: 'aborted',
    long: `The request was cancelled before it finished: the user navigated away or pressed stop, the page or an extension cancelled it, or the response turned into a download. Chromium also reports a redirect loop this way when it gives up after ${MAX_REDIRECTS} redirects.`,
  },
  // Not a network error: how the recorder ends a chain whose tab was closed under way.
  'tab closed': {
    short: 'tab closed',
    long: 'The tab was closed while this chain was under way: the browser stopped following it, so its last hop has no response.',
  },
  ERR_TOO_MANY_REDIRECTS: {
    short: 'too many redirects',
    long: `Chromium gives up after ${MAX_REDIRECTS} redirects; this is almost always a redirect loop.`,
  },
  ERR_CONNECTION_RESET: {
    short: 'connection reset',
    long: 'The connection was cut (TCP reset) before a full response arrived: the server crashed or a proxy or firewall in between dropped it.',
  },
  ERR_CONNECTION_CLOSED: {
    short: 'connection closed',
    long: 'The server closed the connection without sending a complete response.',
  },
  ERR_EMPTY_RESPONSE: {
    short: 'empty response',
    long: 'The server closed the connection without sending any response.',
  },
  ERR_CONNECTION_TIMED_OUT: {
    short: 'connection timed out',
    long: 'No answer to the connection attempt in time: the host is down, unreachable, or a firewall silently drops the packets.',
    advice: 'the host did not answer in time: check that it is reachable from here',
  },
  ERR_TIMED_OUT: {
    short: 'timed out',
    long: 'The operation took too long and the browser gave up waiting.',
  },
  ERR_ADDRESS_UNREACHABLE: {
    short: 'address unreachable',
    long: 'There is no network route to the server address.',
    advice: 'the address cannot be reached from this machine',
  },
  ERR_UNSAFE_PORT: {
    short: 'unsafe port',
    long: 'Chromium refuses to connect to this port: it is on its list of ports that belong to other protocols (SMTP, IRC, …), so no request was sent.',
    advice: 'Chromium refuses to connect to this port (it is on its list of unsafe ports): use another port',
  },
  ERR_INTERNET_DISCONNECTED: {
    short: 'offline',
    long: 'The device was offline: the request never left the machine.',
  },
  ERR_NETWORK_CHANGED: {
    short: 'network changed',
    long: 'The network changed while the request was under way (Wi-Fi switch, VPN up or down).',
  },
  ERR_BLOCKED_BY_CLIENT: {
    short: 'blocked by an extension',
    long: 'An extension blocked the request (an ad or content blocker, or a declarativeNetRequest block rule).',
  },
  ERR_BLOCKED_BY_RESPONSE: {
    short: 'blocked by a response header',
    long: 'The response arrived but a security header forbade using it here (Cross-Origin-Resource-Policy, Cross-Origin-Embedder-Policy or X-Frame-Options).',
  },
  ERR_BLOCKED_BY_ADMINISTRATOR: {
    short: 'blocked by policy',
    long: 'An enterprise policy of this browser blocks the URL.',
  },
  ERR_SSL_PROTOCOL_ERROR: {
    short: 'TLS error',
    long: 'The TLS handshake failed: the server does not speak TLS on that port, or its TLS setup is broken.',
  },
  ERR_SSL_VERSION_OR_CIPHER_MISMATCH: {
    short: 'no common TLS version or cipher',
    long: 'Browser and server share no TLS version or cipher suite: the server only offers outdated ones.',
  },
  ERR_UNSAFE_REDIRECT: {
    short: 'unsafe redirect',
    long: 'The browser refused to follow the redirect: its target is a scheme a web page may not redirect to (data:, file:, chrome:, …).',
  },
  ERR_INVALID_REDIRECT: {
    short: 'invalid redirect',
    long: 'The Location header could not be turned into a valid URL.',
  },
  ERR_INVALID_RESPONSE: {
    short: 'invalid response',
    long: 'The server sent something that is not a valid HTTP response.',
  },
  ERR_CONTENT_DECODING_FAILED: {
    short: 'content decoding failed',
    long: 'The body claimed a Content-Encoding (gzip, br, …) it was not actually encoded with.',
  },
  ERR_CACHE_MISS: {
    short: 'cache miss',
    long: 'The browser needed a cached copy that is not there, typically a POST result revisited with back/forward.',
  },
  ERR_FAILED: {
    short: 'failed',
    long: 'A generic failure: Chromium gives no more detail.',
  },
};

/** Why the certificate was rejected, completing "The browser rejected the server's TLS certificate: …". */
const CERT_ERRORS: Readonly<Record<string, { why: string; advice?: string }>> = {
  ERR_CERT_AUTHORITY_INVALID: {
    why: 'it was not issued by an authority this browser trusts (self-signed, or a private CA)',
    advice:
      'the certificate is not trusted: trust it, or pass --browser-arg=--ignore-certificate-errors-spki-list=HASH',
  },
  ERR_CERT_COMMON_NAME_INVALID: { why: 'it was issued for another host name' },
  ERR_CERT_DATE_INVALID: { why: 'it has expired or is not valid yet (check the clock of this machine too)' },
  ERR_CERT_REVOKED: { why: 'its issuer has revoked it' },
  ERR_CERT_WEAK_SIGNATURE_ALGORITHM: { why: 'it is signed with a weak algorithm (such as SHA-1)' },
  ERR_CERT_INVALID: { why: 'it is malformed' },
};

/** `net::ERR_X` → words; anything unknown (including Firefox's NS_ERROR_*) is kept raw. */
export function describeNetError(error: string): NetError {
  const raw = printable(error);
  const code = error.replace(/^net::/, '').trim();
  const known = NET_ERRORS[code];
  if (known) return known;
  if (code.startsWith('ERR_CERT_')) {
    const cert = CERT_ERRORS[code];
    const why = cert?.why ?? `the browser reports ${raw}`;
    return {
      short: 'certificate rejected',
      long: `The browser rejected the server's TLS certificate: ${why}. The connection stopped during the TLS handshake, before any HTTP request was sent. On a host with HSTS the user cannot click through this error (RFC 6797 §12.1).`,
      advice: cert?.advice,
    };
  }
  return { short: raw, long: `The network error ${raw} ended the request.` };
}
