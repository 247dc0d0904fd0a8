import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectApi } from './api/api.js';
import { watchCards } from './stores/cards-store.js';
import { watchJobs } from './stores/jobs-store.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

connectApi()
  .then(async () => {
    watchJobs();
    await watchCards();
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    root.textContent = `astcard could not start: ${error instanceof Error ? error.message : String(error)}`;
  });
