import { createSessionClient } from '@sessiond/sdk';
import { SessionProvider } from '@sessiond/sdk/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { BASE_PATH, withBase } from './base-path.ts';
import './styles.css';

// Same origin as the pages, cookie mode: the credential never touches script. Under the base path
// when sessiond sits behind the app's origin at one; the notification service worker too (the SDK
// registers it at <base path>/sessiond-notifications/, so it never takes the app's own worker's scope).
const client = createSessionClient({ baseUrl: BASE_PATH, serviceWorkerUrl: withBase('/sessiond-sw.js') });

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <SessionProvider client={client}>
      <App />
    </SessionProvider>
  </StrictMode>,
);
