import browser from 'webextension-polyfill';

// The devtools page only creates the panel; everything else lives in the panel page.
void browser.devtools.panels.create('Redirects', 'icons/icon-16.png', 'extension/panel.html');
