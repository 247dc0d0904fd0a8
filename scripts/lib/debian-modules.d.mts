export class KernelModuleError extends Error {
  constructor(code: 'unknown-module' | 'depmod-failed', message: string, cause?: unknown);
  readonly code: 'unknown-module' | 'depmod-failed';
}
export function moduleFilesWithDependencies(kernelRoot: string, release: string, names: string[]): string[];
export function stageModules(
  kernelRoot: string,
  release: string,
  names: string[],
  stageRoot: string,
): string[];
