/**
 * Numbers as people read them: decimal units, as printed on every card and drive and as the core's
 * messages count ("it holds 17 MB"), so one card never shows two sizes.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatSpeed(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? '' : `${formatBytes(bytesPerSecond)}/s`;
}

export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'almost done';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.ceil(seconds % 60)} s left`;
}

const PHASES: Record<string, string> = {
  format: 'Erasing and formatting',
  bootloader: 'Installing the boot loader',
  loader: 'Copying the AstLinux loader',
  hash: 'Checking',
  download: 'Downloading',
  unpack: 'Unpacking',
  write: 'Writing',
  verify: 'Reading back',
  keydisk: 'Copying the keydisk',
  finish: 'Finishing',
};

export function phaseLabel(phase: string, item?: string): string {
  const label = PHASES[phase] ?? phase;
  return item ? `${label} ${item}` : label;
}
