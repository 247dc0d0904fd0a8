/**
 * Publishing side of signed images: signify-compatible keys and signed checksum lists, made in Node.
 * Verification lives in shared/ (shared/signify.ts), so the app and the loader judge signatures alike.
 *
 *   generateKeyPair(comment)          → .pub and .sec texts (no passphrase), as `signify -G -n` makes them
 *   readSecretKey(text)               → a key to sign with; passphrase-protected keys are refused
 *   signList(key, entries, {comment}) → a signed list `signify -C` accepts
 */
export {
  type GeneratedKeyPair,
  generateKeyPair,
  readSecretKey,
  type SignifySecretKey,
} from './secret-key.js';
export { type SignedImage, sha256OfFile, signImages } from './sign-images.js';
export { type SignListOptions, signList } from './sign-list.js';
export { SigningError, type SigningErrorCode } from './signing-error.js';
