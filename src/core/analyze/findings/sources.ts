import type { Source } from './types.ts';

/** The sources the rules cite, each once. */
export const SOURCES = {
  askBeforeHttp: {
    title: 'Chromium: Adapting your website for Chrome’s “Ask-before-HTTP” warning',
    url: 'https://chromium.googlesource.com/chromium/src/+/main/docs/security/ask-before-http/ask-before-http-adoption-guide.md',
  },
  httpsByDefault: {
    title: 'Chromium Blog: Towards HTTPS by default (HTTPS-Upgrades)',
    url: 'https://blog.chromium.org/2023/08/towards-https-by-default.html',
  },
  rfc9110Redirects: {
    title: 'RFC 9110 §15.4, Redirection 3xx',
    url: 'https://www.rfc-editor.org/rfc/rfc9110#section-15.4',
  },
  rfc9110Permanent: {
    title: 'RFC 9110 §15.4.2 (301) and §15.4.9 (308), permanent redirects',
    url: 'https://www.rfc-editor.org/rfc/rfc9110#section-15.4.2',
  },
  mixedContent: { title: 'W3C Mixed Content', url: 'https://www.w3.org/TR/mixed-content/' },
  googleRedirects: {
    title: 'Google Search Central: Redirects and Google Search',
    url: 'https://developers.google.com/search/docs/crawling-indexing/301-redirects',
  },
  googleHops: {
    title: 'Google Search Central: HTTP status codes (Googlebot follows up to 10 redirect hops)',
    url: 'https://developers.google.com/search/docs/crawling-indexing/http-network-errors',
  },
  fetchRedirect: {
    title: 'Fetch Standard: HTTP-redirect fetch',
    url: 'https://fetch.spec.whatwg.org/#http-redirect-fetch',
  },
  rfc9111Heuristic: {
    title: 'RFC 9111 §4.2.2, calculating heuristic freshness',
    url: 'https://www.rfc-editor.org/rfc/rfc9111#section-4.2.2',
  },
  rfc9111Freshness: {
    title: 'RFC 9111 §4.2, freshness',
    url: 'https://www.rfc-editor.org/rfc/rfc9111#section-4.2',
  },
  wcagTiming: {
    title: 'WCAG 2.2 Success Criterion 2.2.1 Timing Adjustable (and 3.2.5 Change on Request)',
    url: 'https://www.w3.org/WAI/WCAG22/Understanding/timing-adjustable',
  },
  hstsPreloadRedirects: {
    title: 'HSTS preload list: redirect requirements (chromium/hstspreload redirects.go)',
    url: 'https://github.com/chromium/hstspreload/blob/main/redirects.go',
  },
  hstsPreloadHeader: {
    title: 'HSTS preload list: header requirements (hstspreload.org, header.go; RFC 6797)',
    url: 'https://hstspreload.org/#submission-requirements',
  },
  rfc6797: {
    title: 'RFC 6797 §8.3, HSTS: URI loading and port mapping',
    url: 'https://www.rfc-editor.org/rfc/rfc6797#section-8.3',
  },
} as const satisfies Record<string, Source>;
