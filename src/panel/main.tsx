import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createExtensionConnector } from './connector/extension.ts';
import './panel.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App connector={createExtensionConnector()} />
    </StrictMode>,
  );
}
