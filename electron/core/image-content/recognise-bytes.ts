/**
 * What a file that is not a mountable filesystem seems to be, from its first bytes, so the user hears "it
 * looks like a gzip-compressed file" rather than "bad magic". Signatures are the formats' published magic
 * numbers; the list holds what people plausibly pick by mistake instead of an image.
 */

import { ascii, u16, u32 } from '../block/little-endian.js';

const ISO9660_OFFSET = 0x8001;

interface Signature {
  what: string;
  test: (head: Uint8Array) => boolean;
}

const startsWith = (head: Uint8Array, bytes: number[], at = 0) =>
  bytes.every((byte, i) => head[at + i] === byte);

const SIGNATURES: Signature[] = [
  { what: 'a gzip-compressed file (unpack it first)', test: (h) => startsWith(h, [0x1f, 0x8b]) },
  {
    what: 'an xz-compressed file (unpack it first)',
    test: (h) => startsWith(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]),
  },
  { what: 'a bzip2-compressed file (unpack it first)', test: (h) => ascii(h, 0, 3) === 'BZh' },
  { what: 'a zstd-compressed file (unpack it first)', test: (h) => u32(h, 0) === 0xfd2fb528 },
  { what: 'a zip archive', test: (h) => startsWith(h, [0x50, 0x4b, 0x03, 0x04]) },
  { what: 'a tar archive', test: (h) => ascii(h, 257, 5) === 'ustar' },
  { what: 'a Linux kernel, not a filesystem image', test: (h) => ascii(h, 0x202, 4) === 'HdrS' },
  { what: 'a program (ELF), not a filesystem image', test: (h) => startsWith(h, [0x7f, 0x45, 0x4c, 0x46]) },
  { what: 'a cpio archive (an initramfs?)', test: (h) => ascii(h, 0, 5) === '07070' },
  { what: 'a big-endian squashfs, which Linux on a PC cannot read', test: (h) => ascii(h, 0, 4) === 'sqsh' },
  { what: 'a QEMU qcow2 disk image', test: (h) => startsWith(h, [0x51, 0x46, 0x49, 0xfb]) },
  { what: 'an encrypted (LUKS) volume', test: (h) => startsWith(h, [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]) },
  {
    what: 'a FAT volume (a card image rather than an AstLinux image?)',
    test: (h) => u16(h, 510) === 0xaa55 && (ascii(h, 54, 3) === 'FAT' || ascii(h, 82, 5) === 'FAT32'),
  },
  { what: 'a whole disk image with a partition table', test: (h) => u16(h, 510) === 0xaa55 },
];

function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, 512);
  return (
    sample.length > 0 &&
    sample.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))
  );
}

/** A phrase completing "it looks like …", or null when nothing matches. */
export function recogniseBytes(head: Uint8Array, isoSignature: Uint8Array | null): string | null {
  // Before the zero test: an ISO 9660 image starts with 32 KiB of (usually zero) system area.
  if (isoSignature && ascii(isoSignature, 0, 5) === 'CD001') return 'a CD/DVD image (ISO 9660)';
  if (head.every((b) => b === 0)) return 'nothing but zero bytes at its start';
  for (const signature of SIGNATURES) if (signature.test(head)) return signature.what;
  if (looksLikeText(head)) {
    return /<(!doctype|html)/i.test(ascii(head, 0, Math.min(head.length, 512)))
      ? 'a web page (a failed download?)'
      : 'a text file';
  }
  return null;
}

export { ISO9660_OFFSET };
