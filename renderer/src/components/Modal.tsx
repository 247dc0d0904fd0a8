import { useEffect, useRef } from 'react';

const FOCUSABLE = 'input, select, textarea, button:not([disabled]), summary, a[href], [tabindex="0"]';

/**
 * A modal dialog: focus moves in when it opens (to `initialFocus`, else the first control) and back when
 * it closes, Tab stays inside, Escape cancels.
 */
export function Modal({
  title,
  onCancel,
  children,
  wide = false,
  initialFocus,
}: {
  title: string;
  onCancel: () => void;
  children: React.ReactNode;
  wide?: boolean;
  /** A selector inside the dialog for the control to start on. */
  initialFocus?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves in once, when the dialog opens.
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first =
      (initialFocus ? ref.current?.querySelector<HTMLElement>(initialFocus) : null) ??
      ref.current?.querySelector<HTMLElement>('input, textarea, button:not([disabled])');
    first?.focus();
    return () => previous?.focus();
  }, []);
  return (
    <div className="scrim">
      <div
        ref={ref}
        className={wide ? 'dialog dialog-wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
          if (event.key !== 'Tab' || !ref.current) return;
          const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
            (item) => !(item as HTMLInputElement).disabled,
          );
          const first = items[0];
          const last = items[items.length - 1];
          if (event.shiftKey && document.activeElement === first) {
            last?.focus();
            event.preventDefault();
          } else if (!event.shiftKey && document.activeElement === last) {
            first?.focus();
            event.preventDefault();
          }
        }}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}
