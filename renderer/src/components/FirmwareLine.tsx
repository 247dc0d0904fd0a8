import type { CardView } from '../../../shared/api.js';
import './signatures.css';

/** Problems the firmware line says itself; the "What needs attention" list leaves them out. */
export const FIRMWARE_PROBLEM = /^uefi-/;

/**
 * Which computers start the card, as the card doctor checked it (issue 18): "Boots on BIOS and UEFI
 * computers", or which of the two is missing, why, and the fix. "Boots" only when an image can boot;
 * otherwise it is only the loader that starts.
 */
export function FirmwareLine({
  view,
  busy,
  onUpdateLoader,
}: {
  view: CardView;
  busy: boolean;
  onUpdateLoader(): void;
}) {
  if (!view.astlinux) return null;
  const { bios, uefi } = view.firmware;
  const subject = view.boot ? 'Boots' : 'Its loader starts';
  const problem = (codes: RegExp) => view.problems.find((each) => codes.test(each.code))?.message;
  const uefiWhy = problem(/^uefi-(no-boot-program|other-boot-program|no-ldlinux-e64|config-missing)$/);
  const biosWhy = problem(/^(syslinux-|loader-missing$)/);
  const differs = uefi ? problem(/^uefi-config-differs$/) : undefined;
  let tone: 'good' | 'warning' | 'bad';
  let text: string;
  if (bios && uefi) {
    tone = differs ? 'warning' : 'good';
    text = `✓ ${subject} on BIOS and UEFI computers.${differs ? ` ${differs}` : ''}`;
  } else if (bios) {
    tone = 'warning';
    text = `${subject} on BIOS computers only, not on UEFI ones. ${
      uefiWhy ?? 'Its EFI boot files are missing or incomplete. Update the loader to add them.'
    }`;
  } else if (uefi) {
    tone = 'warning';
    text = `${subject} on UEFI computers only, not on BIOS ones. ${
      biosWhy ?? 'Its SYSLINUX boot code is missing or damaged. Update the loader to repair it.'
    }`;
  } else {
    tone = 'bad';
    text = `Starts on neither BIOS nor UEFI computers. ${
      biosWhy ?? uefiWhy ?? 'Its boot files are missing or damaged. Update the loader to repair them.'
    }`;
  }
  const fixable = tone !== 'good';
  return (
    <p className={`firmware-line tone-${tone}`} data-testid="firmware-line">
      <span>{text}</span>
      {fixable ? (
        <button type="button" disabled={busy} onClick={onUpdateLoader}>
          Update the loader
        </button>
      ) : null}
    </p>
  );
}
