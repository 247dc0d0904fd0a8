import { useState } from 'react';
import { Dialogs } from './components/Dialogs.js';
import { HelpPanel } from './components/HelpPanel.js';
import { BatchPage } from './pages/BatchPage.js';
import { CardPage } from './pages/CardPage.js';
import { CardsPage } from './pages/CardsPage.js';
import { PreparePage } from './pages/PreparePage.js';
import { useBatch } from './stores/batch-store.js';
import { usePlace } from './stores/place-store.js';
import { usePrepare } from './stores/prepare-store.js';

export function App() {
  const { place, go } = usePlace();
  const preparing = usePrepare((state) => state.step === 'running');
  const batch = useBatch((state) => state.shown);
  const batchRunning = useBatch((state) => state.running);
  const [help, setHelp] = useState(false);
  return (
    <div className={help ? 'app with-help' : 'app'}>
      <header className="topbar">
        <span className="brand">
          <img src="./icon.svg" alt="" width={24} height={24} />
          astcard
        </span>
        <nav aria-label="Main">
          <button
            type="button"
            className={place !== 'prepare' && !batch ? 'tab tab-now' : 'tab'}
            onClick={() => {
              useBatch.getState().show(false);
              go('cards');
            }}
            disabled={preparing || batchRunning}
          >
            Cards
          </button>
          <button
            type="button"
            className={place === 'prepare' && !batch ? 'tab tab-now' : 'tab'}
            disabled={batchRunning}
            onClick={() => {
              useBatch.getState().show(false);
              if (usePrepare.getState().step === 'done') usePrepare.getState().reset();
              go('prepare');
            }}
          >
            Prepare a new card
          </button>
          <button
            type="button"
            className={batch ? 'tab tab-now' : 'tab'}
            disabled={preparing}
            onClick={() => useBatch.getState().show(true)}
          >
            Batch
          </button>
        </nav>
        <button
          type="button"
          className={help ? 'tab tab-now help-button' : 'tab help-button'}
          aria-expanded={help}
          onClick={() => setHelp(!help)}
        >
          Help
        </button>
      </header>
      {help ? <HelpPanel onClose={() => setHelp(false)} /> : null}
      {batch ? <BatchPage /> : null}
      {!batch && place === 'cards' ? <CardsPage /> : null}
      {!batch && place === 'card' ? <CardPage /> : null}
      {!batch && place === 'prepare' ? <PreparePage /> : null}
      <Dialogs />
    </div>
  );
}
