export function electronProgram(platform: NodeJS.Platform): string;
export function electronCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string;
export function findLocalElectron(options: {
  given?: string | undefined;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  version: string;
  moduleDir: string;
  cacheDir: string;
}): { dist: string; problem?: undefined } | { problem: string; dist?: undefined };
