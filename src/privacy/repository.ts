import type { Db } from '../db/client.js';
import { ERASED, PERSONAL_DATA } from './personal-data.js';

export interface ErasureCandidate { id: string; countyCode: string | null; erasedAt: number | null }

/** What one erasure did: how much it erased in each place (see PERSONAL_DATA), 0 where nothing was left. */
export type ErasedCounts = Record<string, number>;

/**
 * The statements of erasure, prepared once: one per place of personal data (PERSONAL_DATA), so the facts the
 * statistics read (case_facts, the history, dates, county, actors, topics, outcome, the feedback answer) stay.
 */
export function createErasureRepository(db: Db) {
  const client = db.$client;
  const places = PERSONAL_DATA.map((place) => ({
    name: place.name,
    erase: client.prepare(place.erase),
    leftovers: place.leftovers ? client.prepare(place.leftovers).pluck() : null,
  }));
  const statements = {
    find: client.prepare('SELECT id, county_code AS countyCode, erased_at AS erasedAt FROM inquiries WHERE id = ?'),
    // A sole trader's number (and one given by nobody) is erased with the rest; a legal entity's stays, with its name.
    ofCompany: client.prepare('SELECT id, county_code AS countyCode, erased_at AS erasedAt FROM inquiries WHERE org_number = ?'),
    expired: client.prepare(`
      SELECT id FROM inquiries WHERE closed_at IS NOT NULL AND erased_at IS NULL AND closed_at < @closedBefore
        -- A company that consented to follow-up over months is kept until its last wave's answer window
        -- has ended, and RETENTION_DAYS after that (src/effects); withdrawing the consent ends this.
        AND NOT EXISTS (SELECT 1 FROM follow_up_consents c WHERE c.inquiry_id = inquiries.id AND c.withdrawn_at IS NULL
          AND c.last_wave_ends_at IS NOT NULL AND c.last_wave_ends_at >= @closedBefore)
      ORDER BY closed_at LIMIT @limit`).pluck(),
    // Pollers see that the case changed (and can erase their copies).
    touch: client.prepare('UPDATE inquiries SET version = version + 1, updated_at = MAX(updated_at, @at) WHERE id = @id'),
  };

  return {
    find: (id: string) => statements.find.get(id) as ErasureCandidate | undefined,
    ofCompany: (orgNumber: string) => statements.ofCompany.all(orgNumber) as ErasureCandidate[],
    expired: (closedBefore: number, limit: number) => statements.expired.all({ closedBefore, limit }) as string[],
    /** Erased inquiries that still hold personal data somewhere (written after their erasure), at most `limit`. */
    leftovers(limit: number): string[] {
      const ids = new Set<string>();
      for (const place of places) {
        if (!place.leftovers || ids.size >= limit) continue;
        for (const id of place.leftovers.all({ limit: limit - ids.size }) as string[]) ids.add(id);
      }
      return [...ids];
    },
    /**
     * Erases whatever personal data of one inquiry is left, in every place; null when nothing was left. Run
     * inside a transaction.
     */
    erase(id: string, at: number): ErasedCounts | null {
      const counts: ErasedCounts = {};
      let total = 0;
      for (const place of places) {
        const n = place.erase.run({ id, at, marker: ERASED }).changes;
        counts[place.name] = n;
        total += n;
      }
      if (total === 0) return null;
      statements.touch.run({ id, at });
      return counts;
    },
  };
}

export type ErasureRepository = ReturnType<typeof createErasureRepository>;
