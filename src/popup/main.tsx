import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createExtensionConnector } from '../ui/connector/extension.ts';
import { Popup } from './Popup.tsx';
import '../ui/theme.css';
import './popup.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Popup connector={createExtensionConnector()} />
    </StrictMode>,
  );
}
