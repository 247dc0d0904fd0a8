import { useEffect, useRef } from 'react';
import { isRunning, RAW_KEEP, type TryRun } from '../../stores/try-store.js';

/**
 * The test machine's console: the loader's own lines first (what it checked and decided), then the raw
 * serial, which follows the newest line unless the user scrolled up to read.
 */
export function TryConsoleView({ run, idPrefix }: { run: TryRun; idPrefix: string }) {
  const raw = useRef<HTMLElement>(null);
  const following = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls when new lines arrive.
  useEffect(() => {
    const pane = raw.current;
    if (pane && following.current) pane.scrollTop = pane.scrollHeight;
  }, [run.raw]);
  return (
    <div className="try-console">
      <h3 id={`${idPrefix}-loader`}>The loader’s lines</h3>
      {run.loaderLines.length > 0 ? (
        <ol
          className="try-loader-lines"
          aria-labelledby={`${idPrefix}-loader`}
          data-testid="try-loader-lines"
        >
          {run.loaderLines.map((line, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions in the console.
            <li key={index}>{line}</li>
          ))}
        </ol>
      ) : (
        <p className="muted small">
          {isRunning(run)
            ? 'None yet: the loader prints once the test machine has started it.'
            : 'The loader printed none of its own lines in this try.'}
        </p>
      )}
      <h3 id={`${idPrefix}-raw`}>Serial console</h3>
      {run.trimmed > 0 || run.dropped > 0 ? (
        <p className="muted small">
          {run.trimmed > 0 ? `Showing the last ${RAW_KEEP} lines. ` : ''}
          {run.dropped > 0 ? `${run.dropped} lines printed too fast to show were left out here. ` : ''}
          The log file has every line.
        </p>
      ) : null}
      <section
        ref={raw}
        className="try-raw"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable and scrollable by keyboard (WCAG 2.1.1).
        tabIndex={0}
        aria-labelledby={`${idPrefix}-raw`}
        onScroll={(event) => {
          const pane = event.currentTarget;
          following.current = pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 8;
        }}
      >
        <pre data-testid="try-raw">{run.raw.length > 0 ? run.raw.join('\n') : ' '}</pre>
      </section>
    </div>
  );
}
