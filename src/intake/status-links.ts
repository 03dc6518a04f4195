import { createHash, createHmac, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema/index.js';

/**
 * The company's private status link. The token is an HMAC of the inquiry id under a server secret:
 * unguessable, reproducible (an idempotent replay can return the same link) and never stored; the
 * database keeps only its SHA-256 to look the inquiry up.
 */
export class StatusLinks {
  constructor(private readonly secret: string) {}

  static secretFrom(db: Db, configured: string | undefined): string {
    if (configured) return configured;
    const existing = db.select().from(settings).where(eq(settings.key, 'status_link_secret')).get();
    if (existing) return existing.value;
    const generated = randomBytes(32).toString('base64url');
    db.insert(settings).values({ key: 'status_link_secret', value: generated }).onConflictDoNothing().run();
    return db.select().from(settings).where(eq(settings.key, 'status_link_secret')).get()!.value;
  }

  tokenFor(inquiryId: string): string {
    return createHmac('sha256', this.secret).update(inquiryId).digest('base64url');
  }

  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
