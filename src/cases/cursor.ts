import { createHash } from 'node:crypto';
import { badRequest } from '../shared/problems.js';
import { both, type Bilingual } from '../shared/i18n.js';

/**
 * Opaque keyset cursors. A cursor holds the sort key of the last case on the page and the id that
 * breaks ties, so the next page starts strictly after it whatever changed in between: nothing is
 * skipped or repeated because rows were inserted or removed before it (unlike offsets). Ordered by
 * deadline the key never changes (a referral keeps the deadline); ordered by last change a case
 * updated while a client pages moves behind the cursor and is seen again on a later page or poll,
 * which is what a poller wants. The cursor also carries a fingerprint of the query, so it cannot be
 * replayed against other filters.
 */
export interface CursorPosition { key: number; id: string }

interface CursorBody { v: 1; k: number; i: string; f: string }

export function queryFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  const body: CursorBody = { v: 1, k: position.key, i: position.id, f: fingerprint };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

const NOT_A_CURSOR = both('Not a cursor from this API: use nextCursor from the previous page as it is',
  'Inte en markör från detta API: använd föregående sidas nextCursor som den är');

export function decodeCursor(cursor: string, fingerprint: string): CursorPosition {
  const invalid = (reason: Bilingual) => badRequest(null, [{ name: 'querystring.cursor', reason }]);
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw invalid(NOT_A_CURSOR);
  }
  if (body?.v !== 1 || typeof body.k !== 'number' || !Number.isSafeInteger(body.k) || typeof body.i !== 'string' || body.i.length > 100 || typeof body.f !== 'string') {
    throw invalid(NOT_A_CURSOR);
  }
  if (body.f !== fingerprint) {
    throw invalid(both('This cursor belongs to a query with other filters or order: start again without a cursor',
      'Markören hör till en fråga med andra filter eller en annan ordning: börja om utan markör'));
  }
  return { key: body.k, id: body.i };
}
