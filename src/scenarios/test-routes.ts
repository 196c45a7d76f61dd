/**
 * Routes only the tests use, reached from no scenario of the catalogue. The server serves them
 * only when started with `startScenarioServer({ testRoutes: true })`; the demo does not.
 */
import type { Router } from './routes.ts';

export const testRoutes: Router = (x) => {
  switch (x.url.pathname) {
    // A redirect whose target a test can hold (`ScenarioServer.hold('/slow/final')`), e.g. to stop
    // the extension's worker while a chain is under way.
    case '/slow/start':
      return x.redirect(302, '/slow/final');
    case '/slow/final':
      return x.finalPage('Slow: final page');
    // A site that remembers its visitors (hopscope check: the order of a list must not matter):
    // /cookie/set gives a cookie; /cookie/gate sends a visitor who has it elsewhere than a first one.
    case '/cookie/set':
      return x.redirect(302, `/ok?${x.url.searchParams}`, { 'Set-Cookie': 'hopscope_seen=1; Path=/; Max-Age=3600' });
    case '/cookie/gate': {
      const returning = /(?:^|;\s*)hopscope_seen=/.test(x.res.req.headers.cookie ?? '');
      return x.redirect(302, `${returning ? '/end' : '/ok'}?${x.url.searchParams}`);
    }
    // Markup and script where a server controls the text (XSS tests): Location and a header.
    case '/hostile':
      return x.redirect(302, '/ok?q=<img src=x onerror=alert(1)>&u=javascript:alert(2)', {
        'X-Evil': '<script>window.pwned=1</script><img src=x onerror=window.pwned=2>',
      });
    // Terminal escape sequences in the reason phrase and a header (Node refuses to send them,
    // so the response is written raw): OSC window title, screen clear, colour.
    case '/hostile/terminal':
      x.res.socket?.end(
        'HTTP/1.1 302 Found\x1b]0;pwned\x07\x1b[2J\r\n' +
          'Location: /ok?tag=after-escape\r\n' +
          'X-Evil: \x1b[31mred\x1b[0m\r\n' +
          'Content-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return true;
  }
  return false;
};
