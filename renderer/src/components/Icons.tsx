/** Small inline icons (no icon font, no network): a memory card, a drive, an image file. */
export function CardIcon({ kind }: { kind: 'drive' | 'image-file' }) {
  return kind === 'image-file' ? (
    <svg
      viewBox="0 0 24 24"
      width="28"
      height="28"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
    >
      <path d="M6 2.8h8l4.2 4.2v13.2a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3.8a1 1 0 0 1 1-1z" />
      <path d="M14 2.8V7h4.2" />
      <rect x="8" y="11" width="8" height="7" rx="1" />
      <path d="M10 11v2M12 11v2M14 11v2" />
    </svg>
  ) : (
    <svg
      viewBox="0 0 24 24"
      width="28"
      height="28"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
    >
      <path d="M7 2.8h7.5l3.7 3.7v13.7a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V3.8a1 1 0 0 1 1-1z" />
      <path d="M9 3v4M11.5 3v4M14 3v4" />
    </svg>
  );
}
