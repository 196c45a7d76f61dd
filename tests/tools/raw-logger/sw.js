// Throwaway logger used by tests/tools/record-fixtures.ts: every webRequest event, exactly as
// received, in memory. Listeners are registered at the top level so the worker is woken for them.
self.events = [];

const filter = { urls: ['<all_urls>'] };
const withHeaders = (kind) => [kind, 'extraHeaders'];
const log = (event) => (details) => {
  self.events.push({ event, details });
};

chrome.webRequest.onBeforeRequest.addListener(log('onBeforeRequest'), filter);
chrome.webRequest.onBeforeSendHeaders.addListener(log('onBeforeSendHeaders'), filter, withHeaders('requestHeaders'));
chrome.webRequest.onSendHeaders.addListener(log('onSendHeaders'), filter, withHeaders('requestHeaders'));
chrome.webRequest.onHeadersReceived.addListener(log('onHeadersReceived'), filter, withHeaders('responseHeaders'));
chrome.webRequest.onBeforeRedirect.addListener(log('onBeforeRedirect'), filter, withHeaders('responseHeaders'));
chrome.webRequest.onResponseStarted.addListener(log('onResponseStarted'), filter, withHeaders('responseHeaders'));
chrome.webRequest.onCompleted.addListener(log('onCompleted'), filter, withHeaders('responseHeaders'));
chrome.webRequest.onErrorOccurred.addListener(log('onErrorOccurred'), filter);
