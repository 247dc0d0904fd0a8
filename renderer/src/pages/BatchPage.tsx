import { useEffect } from 'react';
import { BatchHistory } from '../components/batch/BatchHistory.js';
import { BatchRun } from '../components/batch/BatchRun.js';
import { BatchSetup } from '../components/batch/BatchSetup.js';
import { StationPanel } from '../components/batch/StationPanel.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useBatch, watchBatchProgress } from '../stores/batch-store.js';

/** Batch provisioning: one image set onto many cards at once, a keydisk per card from a CSV, a report. */
export function BatchPage() {
  const state = useBatch();
  useEffect(() => watchBatchProgress(), []);
  return (
    <main className="page" aria-labelledby="batch-title">
      <div className="page-head">
        <h1 id="batch-title">Batch</h1>
      </div>
      {state.error ? (
        <ErrorNote error={state.error} onDismiss={() => useBatch.setState({ error: null })} />
      ) : null}
      {state.running || state.results ? (
        state.jobId?.startsWith('station-') ? (
          <StationPanel />
        ) : (
          <BatchRun />
        )
      ) : (
        <BatchSetup />
      )}
      <BatchHistory />
    </main>
  );
}
