/**
 * The cipher suites we can decrypt, by their IANA code point: what the record
 * layer needs to know (bulk cipher, key and fixed IV lengths, MAC, PRF hash).
 * The key exchange (RSA, DHE, ECDHE) does not matter here: the key log already
 * holds the result of it. Suites not listed are reported as `tls.unsupported-suite`.
 * RFC 8446 §B.4 (TLS 1.3), RFC 5246 App. A.5, RFC 5288, RFC 5289, RFC 7905.
 */

export type BulkKind = 'gcm' | 'chacha' | 'ccm' | 'ccm8' | 'cbc';

export interface CipherSuite {
  id: number;
  name: string;
  /** TLS 1.3 suites only name the AEAD and hash. */
  tls13: boolean;
  kind: BulkKind;
  /** `node:crypto` cipher name. */
  cipher: string;
  keyLen: number;
  /** Fixed (implicit) IV bytes from the key block: 4 for TLS 1.2 GCM/CCM, 12 for ChaCha20 and TLS 1.3, the block size for CBC. */
  ivLen: number;
  /** HMAC hash of CBC suites. */
  mac?: 'sha1' | 'sha256' | 'sha384';
  /** PRF (TLS 1.2) or HKDF (TLS 1.3) hash. */
  hash: 'sha256' | 'sha384';
}

const T13 = (id: number, name: string, kind: BulkKind, cipher: string, keyLen: number, hash: 'sha256' | 'sha384'): CipherSuite =>
  ({ id, name, tls13: true, kind, cipher, keyLen, ivLen: 12, hash });
const AEAD = (id: number, name: string, kind: BulkKind, cipher: string, keyLen: number, hash: 'sha256' | 'sha384' = 'sha256'): CipherSuite =>
  ({ id, name, tls13: false, kind, cipher, keyLen, ivLen: kind === 'chacha' ? 12 : 4, hash });
const CBC = (id: number, name: string, cipher: string, keyLen: number, mac: 'sha1' | 'sha256' | 'sha384'): CipherSuite =>
  ({ id, name, tls13: false, kind: 'cbc', cipher, keyLen, ivLen: cipher.startsWith('des') ? 8 : 16, mac, hash: mac === 'sha384' ? 'sha384' : 'sha256' });

const LIST: CipherSuite[] = [
  T13(0x1301, 'TLS_AES_128_GCM_SHA256', 'gcm', 'aes-128-gcm', 16, 'sha256'),
  T13(0x1302, 'TLS_AES_256_GCM_SHA384', 'gcm', 'aes-256-gcm', 32, 'sha384'),
  T13(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'chacha', 'chacha20-poly1305', 32, 'sha256'),
  T13(0x1304, 'TLS_AES_128_CCM_SHA256', 'ccm', 'aes-128-ccm', 16, 'sha256'),
  T13(0x1305, 'TLS_AES_128_CCM_8_SHA256', 'ccm8', 'aes-128-ccm', 16, 'sha256'),

  AEAD(0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'gcm', 'aes-128-gcm', 16),
  AEAD(0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'gcm', 'aes-256-gcm', 32, 'sha384'),
  AEAD(0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'gcm', 'aes-128-gcm', 16),
  AEAD(0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'gcm', 'aes-256-gcm', 32, 'sha384'),
  AEAD(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'gcm', 'aes-128-gcm', 16),
  AEAD(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'gcm', 'aes-256-gcm', 32, 'sha384'),
  AEAD(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'gcm', 'aes-128-gcm', 16),
  AEAD(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'gcm', 'aes-256-gcm', 32, 'sha384'),
  AEAD(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha', 'chacha20-poly1305', 32),
  AEAD(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha', 'chacha20-poly1305', 32),
  AEAD(0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha', 'chacha20-poly1305', 32),
  AEAD(0xc09c, 'TLS_RSA_WITH_AES_128_CCM', 'ccm', 'aes-128-ccm', 16),
  AEAD(0xc09d, 'TLS_RSA_WITH_AES_256_CCM', 'ccm', 'aes-256-ccm', 32),
  AEAD(0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'ccm', 'aes-128-ccm', 16),
  AEAD(0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 'ccm', 'aes-256-ccm', 32),

  CBC(0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'des-ede3-cbc', 24, 'sha1'),
  CBC(0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 16, 'sha1'),
  CBC(0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 16, 'sha1'),
  CBC(0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 32, 'sha1'),
  CBC(0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 32, 'sha1'),
  CBC(0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 16, 'sha256'),
  CBC(0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'aes-256-cbc', 32, 'sha256'),
  CBC(0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 16, 'sha256'),
  CBC(0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'aes-256-cbc', 32, 'sha256'),
  CBC(0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 16, 'sha1'),
  CBC(0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 32, 'sha1'),
  CBC(0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 16, 'sha1'),
  CBC(0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 32, 'sha1'),
  CBC(0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 16, 'sha256'),
  CBC(0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'aes-256-cbc', 32, 'sha384'),
  CBC(0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 16, 'sha256'),
  CBC(0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'aes-256-cbc', 32, 'sha384'),
];

const BY_ID = new Map(LIST.map((s) => [s.id, s]));

export function cipherSuite(id: number): CipherSuite | undefined {
  return BY_ID.get(id);
}

export function suiteName(id: number): string {
  return BY_ID.get(id)?.name ?? `0x${id.toString(16).padStart(4, '0')}`;
}

/** MAC length in bytes of a CBC suite's HMAC. */
export function macLength(mac: CipherSuite['mac']): number {
  return mac === 'sha1' ? 20 : mac === 'sha256' ? 32 : mac === 'sha384' ? 48 : 0;
}

export function hashLength(hash: CipherSuite['hash']): number {
  return hash === 'sha384' ? 48 : 32;
}
