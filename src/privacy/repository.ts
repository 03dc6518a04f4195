import type { Db } from '../db/client.js';
import { ERASED } from './schemas.js';

export interface ErasureCandidate { id: string; countyCode: string | null; erasedAt: number | null }

/**
 * The statements of erasure, prepared once. Only personal fields change: the facts statistics read
 * (case_facts, the history, dates, county, actors, topics, outcome, the feedback answer) stay as they are.
 */
export function createErasureRepository(db: Db) {
  const client = db.$client;
  const statements = {
    find: client.prepare('SELECT id, county_code AS countyCode, erased_at AS erasedAt FROM inquiries WHERE id = ?'),
    // A sole trader's number (and one given by nobody) is erased with the rest; a legal entity's stays, with its name.
    ofCompany: client.prepare(`
      SELECT id, county_code AS countyCode, erased_at AS erasedAt FROM inquiries WHERE org_number = @orgNumber
      UNION
      SELECT i.id, i.county_code, i.erased_at FROM case_facts f JOIN inquiries i ON i.id = f.inquiry_id
      WHERE f.org_key = @orgKey AND i.org_number IS NULL AND i.erased_at IS NOT NULL`),
    expired: client.prepare(`
      SELECT id FROM inquiries WHERE closed_at IS NOT NULL AND erased_at IS NULL AND closed_at < ?
      ORDER BY closed_at LIMIT ?`).pluck(),
    inquiry: client.prepare(`
      UPDATE inquiries SET
        company_name = CASE WHEN org_number IS NOT NULL AND org_number_is_personal = 0 THEN company_name ELSE @marker END,
        org_number = CASE WHEN org_number_is_personal = 1 THEN NULL ELSE org_number END,
        contact_name = @marker, contact_email = @marker, contact_phone = NULL, subject = NULL, message = @marker,
        erased_at = @at, version = version + 1, updated_at = MAX(updated_at, @at)
      WHERE id = @id AND erased_at IS NULL`),
    notes: client.prepare('UPDATE case_notes SET text = NULL, erased_at = @at WHERE inquiry_id = @id AND erased_at IS NULL'),
    feedback: client.prepare('UPDATE case_feedback SET comment = NULL WHERE inquiry_id = ? AND comment IS NOT NULL'),
    // The stored request hash is a digest of the personal fields: gone with them.
    idempotency: client.prepare('DELETE FROM idempotency_keys WHERE inquiry_id = ?'),
  };

  return {
    find: (id: string) => statements.find.get(id) as ErasureCandidate | undefined,
    ofCompany: (orgNumber: string, orgKey: number | null) => statements.ofCompany.all({ orgNumber, orgKey }) as ErasureCandidate[],
    expired: (closedBefore: number, limit: number) => statements.expired.all(closedBefore, limit) as string[],
    /** Blanks the personal fields of one inquiry; null when it was erased already. Run inside a transaction. */
    erase(id: string, at: number): { notes: number; feedbackComment: boolean } | null {
      if (statements.inquiry.run({ id, at, marker: ERASED }).changes === 0) return null;
      const notes = statements.notes.run({ id, at }).changes;
      const feedbackComment = statements.feedback.run(id).changes > 0;
      statements.idempotency.run(id);
      return { notes, feedbackComment };
    },
  };
}

export type ErasureRepository = ReturnType<typeof createErasureRepository>;
