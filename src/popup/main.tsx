import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createExtensionConnector } from '../panel/connector/extension.ts';
import { Popup } from './Popup.tsx';
import '../panel/panel.css';
import './popup.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Popup connector={createExtensionConnector()} />
    </StrictMode>,
  );
}
