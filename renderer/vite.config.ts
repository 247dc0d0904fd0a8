import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** A file URL as a path, without node:url (the renderer layer imports no Node built-ins). */
function pathOf(url: URL): string {
  return decodeURIComponent(url.pathname).replace(/^\/([A-Za-z]:)/, '$1');
}

// The window is loaded from file:// under Electron and over http from `astcard ui`: relative asset
// paths work for both. The bundle must not reach the network, so nothing is loaded from a CDN.
export default defineConfig({
  root: pathOf(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: pathOf(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
  },
});
