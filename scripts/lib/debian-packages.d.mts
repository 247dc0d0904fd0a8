export type DebianPackageErrorCode = 'no-candidate' | 'download-failed' | 'unpack-failed' | 'no-kernel';
export class DebianPackageError extends Error {
  constructor(code: DebianPackageErrorCode, message: string, cause?: unknown);
  readonly code: DebianPackageErrorCode;
}
export interface DownloadedPackage {
  name: string;
  version: string;
  file: string;
  sha256: string;
}
export interface FetchedPackage extends DownloadedPackage {
  root: string;
}
export function candidateVersion(name: string): string;
export function dependsOf(name: string): string[];
export function dependencyClosure(roots: string[], keep: (name: string) => boolean): string[];
export function resolveKernelPackage(meta?: string): { package: string; release: string };
export function downloadPackage(name: string, cacheDir: string): DownloadedPackage;
export function unpackPackage(pkg: DownloadedPackage, cacheDir: string): string;
export function fetchPackage(name: string, cacheDir: string): FetchedPackage;
