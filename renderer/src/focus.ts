/**
 * Keyboard focus for a part that replaces another (a step of Prepare, its result): the button that was
 * pressed is gone, and focus would fall to <body>, so a keyboard or screen reader user starts from the top.
 */
import { type RefObject, useEffect, useRef } from 'react';

/** A ref for the new part's heading (give it tabIndex={-1}); it takes focus when the part appears. */
export function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
