import { Dialogs } from './components/Dialogs.js';
import { CardPage } from './pages/CardPage.js';
import { CardsPage } from './pages/CardsPage.js';
import { PreparePage } from './pages/PreparePage.js';
import { usePlace } from './stores/place-store.js';
import { usePrepare } from './stores/prepare-store.js';

export function App() {
  const { place, go } = usePlace();
  const preparing = usePrepare((state) => state.step === 'running');
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">
          <img src="./icon.svg" alt="" width={24} height={24} />
          astcard
        </span>
        <nav aria-label="Main">
          <button
            type="button"
            className={place !== 'prepare' ? 'tab tab-now' : 'tab'}
            onClick={() => go('cards')}
            disabled={preparing}
          >
            Cards
          </button>
          <button
            type="button"
            className={place === 'prepare' ? 'tab tab-now' : 'tab'}
            onClick={() => {
              if (usePrepare.getState().step === 'done') usePrepare.getState().reset();
              go('prepare');
            }}
          >
            Prepare a new card
          </button>
        </nav>
      </header>
      {place === 'cards' ? <CardsPage /> : null}
      {place === 'card' ? <CardPage /> : null}
      {place === 'prepare' ? <PreparePage /> : null}
      <Dialogs />
    </div>
  );
}
