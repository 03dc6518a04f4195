import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens: `edi_<id>_<secret>`.
 * - `id`: 16 hex characters (8 random bytes), public, the key's primary key: a lookup is by id;
 * - `secret`: 32 random bytes, base64url (43 characters); only its SHA-256 is stored, and the
 *   comparison is of the two hashes with `crypto.timingSafeEqual`, so timing reveals nothing.
 * The `edi_` prefix lets secret scanners recognise a leaked token.
 */
const TOKEN = /^edi_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewToken { id: string; token: string; hash: string }

export function generateToken(): NewToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `edi_${id}_${secret}`, hash: hashSecret(secret) };
}

export function parseToken(token: string): { id: string; secret: string } | null {
  const match = TOKEN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash (both hashed to 32 bytes). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const stored = Buffer.from(storedHash, 'hex');
  if (stored.length !== presented.length) return false;
  return timingSafeEqual(presented, stored);
}
