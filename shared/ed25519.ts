/**
 * Ed25519 signature verification (RFC 8032, section 5.1.7), in ES5 so the loader checks signatures with
 * the same code as the app. Signing happens in Node (electron/core/signing), never here.
 *
 * The check is the one OpenSSL and signify make: encode([S]B - [k]A) must equal the signature's R, with
 * k = SHA-512(R || A || M) mod L. On top of that, S must be below L, and the public key must be the one
 * canonical encoding of a point that is not of small order (for such a key anyone can forge signatures).
 */
import type { Bytes } from './bytes.js';
import {
  decodePoint,
  doubleScalarMultiply,
  encodePoint,
  hasSmallOrder,
  negatePoint,
} from './edwards25519.js';
import { isCanonicalScalar, reduceScalar } from './scalar25519.js';
import { sha512 } from './sha512.js';

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** Why a public key cannot be used, as a plain sentence, or null when it can. */
export function ed25519KeyProblem(publicKey: readonly number[]): string | null {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    return `an Ed25519 public key has ${ED25519_PUBLIC_KEY_BYTES} bytes, this one has ${publicKey.length}`;
  }
  const point = decodePoint(publicKey, 0);
  if (!point) return 'the public key is not a point of the curve (damaged key)';
  if (hasSmallOrder(point)) return 'the public key is a weak key that anyone could sign for';
  return null;
}

/** Whether `signature` is publicKey's signature of message (all three plain byte arrays). */
export function ed25519Verify(
  publicKey: readonly number[],
  message: readonly number[],
  signature: readonly number[],
): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) {
    return false;
  }
  if (!isCanonicalScalar(signature, 32)) return false;
  const point = decodePoint(publicKey, 0);
  if (!point || hasSmallOrder(point)) return false;
  const hashed: Bytes = signature.slice(0, 32);
  for (let i = 0; i < publicKey.length; i++) hashed.push(publicKey[i] as number);
  for (let i = 0; i < message.length; i++) hashed.push(message[i] as number);
  const k = reduceScalar(sha512(hashed));
  const check = encodePoint(doubleScalarMultiply(k, negatePoint(point), signature.slice(32, 64)));
  for (let i = 0; i < 32; i++) if (check[i] !== signature[i]) return false;
  return true;
}
