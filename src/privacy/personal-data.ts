import { ProblemError } from '../shared/problems.js';
import { both, type Bilingual } from '../shared/i18n.js';

/** What replaces a personal field that cannot be null. */
export const ERASED = '[raderad]';

/**
 * Every place where personal data of an inquiry is kept, and how to erase it: the one list that erasure on
 * request, the company-wide erasure and retention all go through. A capability that keeps personal data of an
 * inquiry somewhere new (outgoing messages, say) adds its place here, and every kind of erasure covers it.
 *
 * - `erase`: SQL that erases what is left of it for one inquiry (`@id`, `@at`, `@marker`), and changes nothing
 *   when nothing is left, so that erasing again is a no-op exactly when there is nothing to erase;
 * - `leftovers`: SQL listing inquiries already erased (`erased_at` set) that still hold some of it, so retention
 *   finds what was written to an erased case by a path that did not refuse it (or before such writes were
 *   refused). Indexed; `@limit` bounds it. Places only written when an inquiry arrives need none.
 */
export interface PersonalDataPlace {
  /** How the erasure event names it. */
  name: string;
  erase: string;
  leftovers?: string;
}

/** The inquiry's own personal fields; a legal entity's name and organisation number are not personal data and stay. */
const INQUIRY_HOLDS_PERSONAL_DATA = `(
  contact_name IS NOT @marker OR contact_email IS NOT @marker OR contact_phone IS NOT NULL OR subject IS NOT NULL OR message IS NOT @marker
  OR (org_number_is_personal = 1 AND org_number IS NOT NULL)
  OR (company_name IS NOT @marker AND (org_number IS NULL OR org_number_is_personal = 1)))`;

export const PERSONAL_DATA: PersonalDataPlace[] = [
  {
    name: 'inquiry',
    erase: `
      UPDATE inquiries SET
        company_name = CASE WHEN org_number IS NOT NULL AND org_number_is_personal = 0 THEN company_name ELSE @marker END,
        org_number = CASE WHEN org_number_is_personal = 1 THEN NULL ELSE org_number END,
        contact_name = @marker, contact_email = @marker, contact_phone = NULL, subject = NULL, message = @marker,
        erased_at = COALESCE(erased_at, @at)
      WHERE id = @id AND (erased_at IS NULL OR ${INQUIRY_HOLDS_PERSONAL_DATA})`,
  },
  {
    // Caseworkers' notes and the words given with first contact, referral, assignment and close.
    name: 'notes',
    erase: 'UPDATE case_notes SET text = NULL, erased_at = @at WHERE inquiry_id = @id AND erased_at IS NULL',
    leftovers: `
      SELECT DISTINCT n.inquiry_id FROM case_notes n JOIN inquiries i ON i.id = n.inquiry_id
      WHERE n.erased_at IS NULL AND i.erased_at IS NOT NULL LIMIT @limit`,
  },
  {
    name: 'feedback comment',
    erase: 'UPDATE case_feedback SET comment = NULL WHERE inquiry_id = @id AND comment IS NOT NULL',
    leftovers: `
      SELECT f.inquiry_id FROM case_feedback f JOIN inquiries i ON i.id = f.inquiry_id
      WHERE f.comment IS NOT NULL AND i.erased_at IS NOT NULL LIMIT @limit`,
  },
  {
    // Follow-up waves (src/effects) not yet opened: they would only say that this case is to be asked again.
    name: 'follow-up waves not opened',
    erase: 'DELETE FROM follow_up_waves WHERE inquiry_id = @id AND invited_at IS NULL',
  },
  {
    // Opened and answered waves: the link to the case and the comment go; the coded answers stay for the
    // effect statistics, which read the dimensions copied into the wave, so they describe no one.
    name: 'follow-up answers',
    erase: 'UPDATE follow_up_waves SET inquiry_id = NULL, company_id = NULL, comment = NULL WHERE inquiry_id = @id',
    leftovers: `
      SELECT w.inquiry_id FROM follow_up_waves w JOIN inquiries i ON i.id = w.inquiry_id
      WHERE i.erased_at IS NOT NULL LIMIT @limit`,
  },
  {
    // The stored request hash is a digest of the personal fields: gone with them.
    name: 'idempotency key',
    erase: 'DELETE FROM idempotency_keys WHERE inquiry_id = @id',
  },
];

/**
 * Erasure is a state, not an event: once a case's personal data is erased, nothing personal is written to it
 * again. Free text (a note, the words with an action, a feedback comment) sent to an erased case is refused
 * with 409 `case-erased`, before anything is stored; the action itself can be sent again without it.
 */
export function refuseIfErased(erasedAt: number | null, what: Bilingual): void {
  if (erasedAt === null) return;
  throw new ProblemError(409, 'case-erased', 'The personal data of this case has been erased', both(
    `The personal data of this case has been erased, so it takes no new free text: ${what.en}.`,
    `Ärendets personuppgifter är raderade, så det tar inte emot ny fritext: ${what.sv}.`,
  ));
}
