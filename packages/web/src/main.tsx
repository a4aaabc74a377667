import { createSessionClient } from '@sessiond/sdk';
import { SessionProvider } from '@sessiond/sdk/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

// Same origin as the pages, cookie mode: the credential never touches script.
const client = createSessionClient();

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <SessionProvider client={client}>
      <App />
    </SessionProvider>
  </StrictMode>,
);
