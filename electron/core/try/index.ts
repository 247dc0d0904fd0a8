/** Test-booting a card in QEMU ("Try this card", `astcard try`). */
export { BootLog, type BootProgress, type BootStage, type LoaderLine } from './boot-log.js';
export { type Acceleration, chooseAcceleration, type Firmware, plainConsole } from './emulator.js';
export { type TryOptions, type TryOutcome, type TryResult, tryCard } from './try-card.js';
export { TryError, type TryErrorCode } from './try-error.js';
