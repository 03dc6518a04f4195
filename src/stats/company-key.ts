import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';

/**
 * The key behind the statistics' company keys (a 48-bit HMAC of the organisation number, only used to find a
 * returning company's id in stats_companies). It lives outside the database, so that the database or a backup
 * alone cannot be brute-forced for the personnummer of a sole trader: with ten-digit numbers and their check
 * digit, every personnummer of a birth date is a thousand guesses.
 *
 * Where it comes from, in this order:
 * - ORG_KEY_SECRET (at least 32 characters);
 * - ORG_KEY_FILE: a file holding it (e.g. a Docker or Kubernetes secret);
 * - otherwise, outside production only, a key file beside the database (`<DATABASE_PATH>.org-key`), created with
 *   a random key on first start (mode 0600); for an in-memory database, a random key for the process.
 * In production the service refuses to start without one of the first two (see config.ts).
 */
export const ORG_KEY_HELP =
  'Create one with `openssl rand -base64 48 > /run/secrets/org-key` (or `npm run -s cli -- org-key generate`) and set ' +
  'ORG_KEY_FILE to that file, or put the value in ORG_KEY_SECRET. Keep it with the service\'s secrets, not with the database or its backups.';

export interface OrgKeySource { secret: string; source: 'ORG_KEY_SECRET' | 'ORG_KEY_FILE' | 'generated file' | 'ephemeral' ; file?: string }

export function generateOrgKey(): string {
  return randomBytes(48).toString('base64url');
}

export function loadOrgKey(config: Pick<Config, 'ORG_KEY_SECRET' | 'ORG_KEY_FILE' | 'NODE_ENV' | 'DATABASE_PATH'>): OrgKeySource {
  if (config.ORG_KEY_SECRET) return { secret: config.ORG_KEY_SECRET, source: 'ORG_KEY_SECRET' };
  if (config.ORG_KEY_FILE) {
    let secret: string;
    try {
      secret = fs.readFileSync(config.ORG_KEY_FILE, 'utf8').trim();
    } catch (error) {
      throw new Error(`ORG_KEY_FILE: cannot read ${config.ORG_KEY_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'}). ${ORG_KEY_HELP}`);
    }
    if (secret.length < 32) throw new Error(`ORG_KEY_FILE: ${config.ORG_KEY_FILE} holds fewer than 32 characters. ${ORG_KEY_HELP}`);
    return { secret, source: 'ORG_KEY_FILE', file: config.ORG_KEY_FILE };
  }
  if (config.NODE_ENV === 'production') throw new Error(`ORG_KEY_SECRET or ORG_KEY_FILE is required in production. ${ORG_KEY_HELP}`);
  if (config.DATABASE_PATH === ':memory:') return { secret: generateOrgKey(), source: 'ephemeral' };
  const file = `${path.resolve(config.DATABASE_PATH)}.org-key`;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, `${generateOrgKey()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return { secret: fs.readFileSync(file, 'utf8').trim(), source: 'generated file', file };
}

/** The 48-bit keyed hash of a normalised organisation number (an exact integer in JS and SQLite). */
export function orgKeyOf(secret: string, orgNumber: string): number {
  return createHmac('sha256', secret).update(orgNumber).digest().readUIntBE(0, 6);
}

/** Identifies a key without revealing it, so that a changed key is noticed (and the company keys re-made). */
export function orgKeyFingerprint(secret: string): string {
  return createHmac('sha256', secret).update('en-dorr-in/org-key-fingerprint').digest('base64url').slice(0, 22);
}
