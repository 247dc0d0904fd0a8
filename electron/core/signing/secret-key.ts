/**
 * signify secret keys (`.sec`), made and read in Node. The file is the usual two lines (see
 * shared/signify.ts) around 104 bytes:
 *
 *   "Ed" | "BK" (bcrypt_pbkdf) | rounds (u32, big-endian) | salt (16) | checksum (8) | key number (8) |
 *   secret key (64: the 32-byte seed, then the public key)
 *
 * The checksum is the first 8 bytes of SHA-512 of the 64-byte secret key. With a passphrase, the secret
 * key is XORed with bcrypt_pbkdf(passphrase, salt, rounds); `signify -G -n` writes rounds 0 and no XOR,
 * and that is the only kind astcard makes and reads.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { hexFromBytes } from '../../../shared/bytes.js';
import {
  formatPublicKey,
  formatSignifyFile,
  readSignifyFile,
  type SignifyPublicKey,
} from '../../../shared/signify.js';
import { SigningError } from './signing-error.js';

export interface SignifySecretKey {
  readonly keyNumber: string;
  /** The public half, as a `.pub` file carries it. */
  readonly publicKey: SignifyPublicKey;
  /** The secret key's own comment line ("… secret key"). */
  readonly comment: string;
  /** Node's handle on the Ed25519 key, for crypto.sign. */
  readonly privateKey: KeyObject;
}

export interface GeneratedKeyPair {
  readonly keyNumber: string;
  /** The texts of the `.pub` and `.sec` files, as `signify -G -n -c <comment>` would write them. */
  readonly publicKeyText: string;
  readonly secretKeyText: string;
}

const KDF_ALGORITHM = 'BK';
const SECRET_KEY_FILE_BYTES = 104;
/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), how Node imports one. */
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function checksumOf(secretKey: Buffer): Buffer {
  return createHash('sha512').update(secretKey).digest().subarray(0, 8);
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  // The SPKI DER of an Ed25519 key ends with the 32 raw bytes.
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
}

function checkKeyComment(comment: string): void {
  // signify stores at most 1023 bytes, and " secret key" is appended.
  if (comment === '' || /[\r\n]/.test(comment) || Buffer.byteLength(comment) > 1000) {
    throw new SigningError('invalid-option', 'A key comment must be one line of at most 1000 bytes.', {
      detail: JSON.stringify(comment),
    });
  }
}

/** A new key pair without a passphrase; the comments read "<comment> public key" / "<comment> secret key". */
export function generateKeyPair(comment: string): GeneratedKeyPair {
  checkKeyComment(comment);
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = rawPublicKey(privateKey);
  const keyNumber = randomBytes(8);
  const secretKey = Buffer.concat([seed, publicKey]);
  const rounds = Buffer.alloc(4); // 0: no passphrase
  const payload = Buffer.concat([
    Buffer.from(`Ed${KDF_ALGORITHM}`, 'latin1'),
    rounds,
    randomBytes(16), // the salt, unused without a passphrase but present, as signify writes it
    checksumOf(secretKey),
    keyNumber,
    secretKey,
  ]);
  const keyNumberHex = keyNumber.toString('hex');
  return {
    keyNumber: keyNumberHex,
    publicKeyText: formatPublicKey({
      keyNumber: keyNumberHex,
      publicKey: [...publicKey],
      comment: `${comment} public key`,
    }),
    secretKeyText: formatSignifyFile(`${comment} secret key`, [...payload]),
  };
}

/** Reads a `.sec` file made by `signify -G -n` or generateKeyPair. */
export function readSecretKey(text: string): SignifySecretKey {
  const read = readSignifyFile(text, SECRET_KEY_FILE_BYTES, false);
  if (!read.ok) {
    throw new SigningError('bad-secret-key', 'This is not a signify secret key file.', {
      detail: read.reason,
    });
  }
  const raw = Buffer.from(read.file.data);
  const kdf = raw.subarray(2, 4).toString('latin1');
  const rounds = raw.readUInt32BE(4);
  const checksum = raw.subarray(24, 32);
  const keyNumber = raw.subarray(32, 40).toString('hex');
  const secretKey = raw.subarray(40, 104);
  if (kdf !== KDF_ALGORITHM) {
    throw new SigningError('bad-secret-key', 'This secret key uses a key protection astcard does not know.', {
      detail: `kdf algorithm ${JSON.stringify(kdf)}`,
    });
  }
  if (rounds !== 0) {
    throw new SigningError(
      'key-needs-passphrase',
      'This secret key is protected by a passphrase, which astcard cannot open. Sign with signify, or make a key without a passphrase (astcard key new, or signify -G -n).',
      { detail: `bcrypt_pbkdf with ${rounds} rounds` },
    );
  }
  if (!checksumOf(secretKey).equals(checksum)) {
    throw new SigningError(
      'bad-secret-key',
      'This secret key file is damaged (its checksum does not match).',
      {
        detail: `checksum ${checksum.toString('hex')}, key hashes to ${checksumOf(secretKey).toString('hex')}`,
      },
    );
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_PREFIX, secretKey.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = rawPublicKey(privateKey);
  if (!publicKey.equals(secretKey.subarray(32))) {
    throw new SigningError(
      'bad-secret-key',
      'This secret key file is damaged (its two halves do not match).',
      {
        detail: `public half ${hexFromBytes([...secretKey.subarray(32)])}`,
      },
    );
  }
  const comment = read.file.comment;
  return {
    keyNumber,
    comment,
    privateKey,
    publicKey: {
      keyNumber,
      publicKey: [...publicKey],
      comment: comment.replace(/ secret key$/, ' public key'),
    },
  };
}
