import { useEffect } from 'react';
import type { Connector } from './connector/types.ts';

/** Follows DevTools' theme in the panel, the system's elsewhere (theme.css reads the attribute). */
export function useTheme(connector: Connector): void {
  useEffect(() => {
    document.documentElement.dataset.theme = connector.theme();
  }, [connector]);
}
