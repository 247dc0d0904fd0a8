/** `crc-32` ships types for its CRC-32 entry point only; this is its CRC-32C (Castagnoli) sibling. */
declare module 'crc-32/crc32c.js' {
  const crc32c: {
    /** The standard CRC-32C of `data` (initial ~0, final inversion), as a signed 32-bit integer. */
    buf(data: Uint8Array, seed?: number): number;
  };
  export default crc32c;
}
