import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/client.js';

/**
 * Who is told: the notification addresses of actor offices and county export centres, and the active
 * webhook subscriptions. Read on every change that causes messages (intake among them), so they are
 * held in memory and reloaded only when the `notifications_version` setting moved: every write here
 * bumps it in the same transaction, and each instance on the database file sees the change at its next
 * enqueue (one indexed read of one row instead of re-reading both tables).
 */
export const EXPORT_CENTRE = 'export-centre';

export interface OfficeAddress { countyCode: string; office: string; emails: string[]; publicContact: string | null; updatedAt: number; updatedBy: string }

export interface SubscriptionRow {
  id: string; url: string; events: string[]; actorId: string | null; counties: string[] | null; description: string | null;
  secret: string; previousSecret: string | null; previousSecretExpiresAt: number | null;
  createdAt: number; createdBy: string; updatedAt: number;
  disabledAt: number | null; disabledReason: string | null; failingSince: number | null; deletedAt: number | null;
}

const VERSION_KEY = 'notifications_version';

const SUBSCRIPTION_COLUMNS = `id, url, events, actor_id AS actorId, counties, description, secret, previous_secret AS previousSecret,
  previous_secret_expires_at AS previousSecretExpiresAt, created_at AS createdAt, created_by AS createdBy, updated_at AS updatedAt,
  disabled_at AS disabledAt, disabled_reason AS disabledReason, failing_since AS failingSince, deleted_at AS deletedAt`;

type RawSubscription = Omit<SubscriptionRow, 'events' | 'counties'> & { events: string; counties: string | null };
const parseSubscription = (r: RawSubscription): SubscriptionRow => ({ ...r, events: JSON.parse(r.events) as string[], counties: r.counties ? JSON.parse(r.counties) as string[] : null });

export function createDirectory(db: Db) {
  const client = db.$client;
  const s = {
    version: client.prepare(`SELECT value FROM settings WHERE key = '${VERSION_KEY}'`).pluck() as Statement<[], string>,
    bump: client.prepare(`INSERT INTO settings (key, value) VALUES ('${VERSION_KEY}', '1')
      ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`),
    addresses: client.prepare(`SELECT county_code AS countyCode, office, emails, public_contact AS publicContact, updated_at AS updatedAt, updated_by AS updatedBy
      FROM notification_addresses ORDER BY county_code, office`),
    upsertAddress: client.prepare(`INSERT INTO notification_addresses (county_code, office, emails, public_contact, updated_at, updated_by)
      VALUES (@countyCode, @office, @emails, @publicContact, @updatedAt, @updatedBy)
      ON CONFLICT(county_code, office) DO UPDATE SET emails = excluded.emails, public_contact = excluded.public_contact,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by`),
    deleteAddress: client.prepare('DELETE FROM notification_addresses WHERE county_code = ? AND office = ?'),
    activeSubscriptions: client.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE deleted_at IS NULL AND disabled_at IS NULL`),
    allSubscriptions: client.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id`),
    subscription: client.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = ?`),
  };

  let loadedVersion: string | undefined | null = null;
  let addressMap = new Map<string, OfficeAddress>();
  let active: SubscriptionRow[] = [];

  function current(): void {
    const version = s.version.get();
    if (version === loadedVersion && loadedVersion !== null) return;
    addressMap = new Map((s.addresses.all() as (Omit<OfficeAddress, 'emails'> & { emails: string })[])
      .map((a) => [`${a.countyCode}/${a.office}`, { ...a, emails: JSON.parse(a.emails) as string[] }]));
    active = (s.activeSubscriptions.all() as RawSubscription[]).map(parseSubscription);
    loadedVersion = version ?? undefined;
  }

  return {
    /** The office's address record (an actor id or EXPORT_CENTRE), as of the latest committed change. */
    address(countyCode: string, office: string): OfficeAddress | undefined {
      current();
      return addressMap.get(`${countyCode}/${office}`);
    },
    addresses(): OfficeAddress[] {
      current();
      return [...addressMap.values()];
    },
    /** Active (not disabled, not deleted) subscriptions. */
    activeSubscriptions(): readonly SubscriptionRow[] {
      current();
      return active;
    },
    subscription(id: string): SubscriptionRow | undefined {
      const row = s.subscription.get(id) as RawSubscription | undefined;
      return row ? parseSubscription(row) : undefined;
    },
    allSubscriptions: (): SubscriptionRow[] => (s.allSubscriptions.all() as RawSubscription[]).map(parseSubscription),

    /** Writes run inside the caller's transaction; each bumps the version so every instance reloads. */
    bumpVersion(): void {
      s.bump.run();
    },
    upsertAddress(a: OfficeAddress): void {
      s.upsertAddress.run({ ...a, emails: JSON.stringify(a.emails) });
      s.bump.run();
    },
    deleteAddress(countyCode: string, office: string): boolean {
      const changed = s.deleteAddress.run(countyCode, office).changes > 0;
      if (changed) s.bump.run();
      return changed;
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
