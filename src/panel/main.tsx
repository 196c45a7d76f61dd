import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createExtensionConnector } from '../ui/connector/extension.ts';
import { App } from './App.tsx';
import '../ui/theme.css';
import './panel.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App connector={createExtensionConnector({ subresources: true })} />
    </StrictMode>,
  );
}
