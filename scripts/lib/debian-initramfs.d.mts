export function packInitramfs(
  stageDir: string,
  outFile: string,
  options?: { compression?: 'xz' | 'gzip' | 'zstd'; mtime?: number },
): number;
