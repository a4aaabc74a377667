import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const SERVICE_WORKER = fileURLToPath(new URL('../sdk/service-worker/sessiond-sw.js', import.meta.url));

/**
 * The SDK's notification service worker, copied beside index.html as `sessiond-sw.js`: a fixed
 * name at the top of the pages under any base path (routes/pages.ts); the SDK registers it with
 * its own scope below that directory.
 */
function sdkServiceWorker(): Plugin {
  return {
    name: 'sessiond-service-worker',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'sessiond-sw.js', source: readFileSync(SERVICE_WORKER, 'utf8') });
    },
    configureServer(server) {
      server.middlewares.use('/sessiond-sw.js', (_req, res) => {
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.end(readFileSync(SERVICE_WORKER, 'utf8'));
      });
    },
  };
}

/**
 * `vite build packages/web` → packages/server/pages: the pages ship inside the server package and
 * sessiond serves them from there (routes/pages.ts). The SDK is taken from its source
 * ("sessiond:source"), so the pages build without building the SDK first.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), sdkServiceWorker()],
  // Relative: the server makes them absolute under its base path (routes/pages.ts pageShell), and
  // the CSS's own url()s stay right wherever sessiond is mounted.
  base: './',
  resolve: { conditions: ['sessiond:source', ...defaultClientConditions] },
  build: {
    outDir: '../server/pages',
    emptyOutDir: true,
    // The pages run under a CSP without 'unsafe-inline': no inline preload shim, no data: fonts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  // `npx vite packages/web` next to `npm start` for live editing.
  server: { proxy: { '/v1': 'http://127.0.0.1:4000' } },
});
