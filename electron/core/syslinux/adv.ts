import { setU32, u32 } from '../block/little-endian.js';

/**
 * The ADV (auxiliary data vector): two identical 512-byte copies after the loader image, holding small
 * tag/length/value records SYSLINUX keeps between boots (boot-once, menu-save).
 */
export const ADV_SIZE = 512;
export const ADV_COPIES = 2;
const ADV_MAGIC_HEAD = 0x5a2d2fa5;
const ADV_MAGIC_CHECK = 0xa3041767;
const ADV_MAGIC_TAIL = 0xdd28bf64;
const DATA_START = 8;
const DATA_END = 508;

function payloadSum(copy: Uint8Array): number {
  let sum = 0;
  for (let offset = DATA_START; offset < DATA_END; offset += 4) sum = (sum + u32(copy, offset)) >>> 0;
  return sum;
}

/** A fresh install's ADV: both copies valid and empty. */
export function emptyAdv(): Uint8Array {
  const copy = new Uint8Array(ADV_SIZE);
  setU32(copy, 0, ADV_MAGIC_HEAD);
  setU32(copy, 4, (ADV_MAGIC_CHECK - payloadSum(copy)) >>> 0);
  setU32(copy, DATA_END, ADV_MAGIC_TAIL);
  const both = new Uint8Array(ADV_SIZE * ADV_COPIES);
  both.set(copy, 0);
  both.set(copy, ADV_SIZE);
  return both;
}

/** Whether one 512-byte copy has both magics and a correct checksum. */
export function isValidAdvCopy(copy: Uint8Array): boolean {
  if (copy.length < ADV_SIZE) return false;
  return (
    u32(copy, 0) === ADV_MAGIC_HEAD &&
    u32(copy, DATA_END) === ADV_MAGIC_TAIL &&
    (u32(copy, 4) + payloadSum(copy)) >>> 0 === ADV_MAGIC_CHECK
  );
}
