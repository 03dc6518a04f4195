import type { Role } from '../auth/service.js';
import { ProblemError } from '../shared/problems.js';

/**
 * The case workflow as one table: for each action, which roles may take it from which status, and
 * the status it leads to. Anything not in the table is a 409 that says why.
 *
 *   triage     no actor yet: the county's export centre (coordinator) routes it, or answers it itself
 *   assigned   with an actor, nobody there has claimed it
 *   claimed    a caseworker at the actor holds it; no contact with the company yet
 *   contacted  the actor that has it has been in touch with the company (claimed or not)
 *   closed     done, with an outcome; only notes may still be added
 *
 * Beyond the table, the service checks who holds a claim (a case claimed by another caseworker is
 * theirs to release), that first contact comes before an outcome that needs it, and where an actor
 * may take a case (refer, assign).
 */
export const CASE_STATUSES = ['triage', 'assigned', 'claimed', 'contacted', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_ACTIONS = ['claim', 'release', 'first-contact', 'refer', 'note', 'close', 'assign'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

type Moves = Partial<Record<CaseStatus, CaseStatus>>;

const OPEN_TO_CLOSED: Moves = { assigned: 'closed', claimed: 'closed', contacted: 'closed' };
const NOTE_ANYWHERE: Moves = { triage: 'triage', assigned: 'assigned', claimed: 'claimed', contacted: 'contacted', closed: 'closed' };

export const TRANSITIONS: Record<CaseAction, Partial<Record<Role, Moves>>> = {
  // A claim on a contacted case (after a release) keeps it contacted. A claim on a claimed case is
  // only possible when the holder's key was revoked (checked by the service).
  claim: { caseworker: { assigned: 'claimed', claimed: 'claimed', contacted: 'contacted' } },
  release: { caseworker: { claimed: 'assigned', contacted: 'contacted' } },
  // Recording contact on an unclaimed case claims it for the caller: one call, not two.
  'first-contact': { caseworker: { assigned: 'contacted', claimed: 'contacted' }, coordinator: { triage: 'contacted' } },
  refer: { caseworker: { assigned: 'assigned', claimed: 'assigned', contacted: 'assigned' } },
  note: { caseworker: NOTE_ANYWHERE, coordinator: NOTE_ANYWHERE },
  close: { caseworker: OPEN_TO_CLOSED, coordinator: { triage: 'closed', ...OPEN_TO_CLOSED } },
  assign: { coordinator: { triage: 'assigned', assigned: 'assigned', claimed: 'assigned', contacted: 'assigned' } },
};

/** The roles that may take an action at all (anyone else gets 403 before the case is looked at). */
export function rolesFor(action: CaseAction): Role[] {
  return Object.keys(TRANSITIONS[action]) as Role[];
}

/** What the caller's role may do from this status, by the table alone. */
export function actionsFrom(status: CaseStatus, role: Role): CaseAction[] {
  return CASE_ACTIONS.filter((a) => TRANSITIONS[a][role]?.[status] !== undefined);
}

const LABEL: Record<CaseAction, string> = {
  claim: 'claim', release: 'release', 'first-contact': 'record first contact on', refer: 'refer',
  note: 'add a note to', close: 'close', assign: 'assign',
};

/** Why an action does not fit; specific where the table's answer alone would puzzle a caseworker. */
function why(action: CaseAction, status: CaseStatus, role: Role): string {
  if (status === 'closed') return 'The case is closed: only notes can be added.';
  if (status === 'triage' && role === 'caseworker') return 'The case is in triage: a coordinator assigns it to an actor first.';
  if (action === 'first-contact' && status === 'contacted') return 'First contact is already recorded for this case at its current actor.';
  if (action === 'first-contact' && role === 'coordinator') return "Coordinators record first contact only on triage cases; otherwise the assigned actor's caseworkers do.";
  if (action === 'release') return 'The case is not claimed, so there is nothing to release.';
  const allowed = Object.keys(TRANSITIONS[action][role] ?? {});
  return `Cannot ${LABEL[action]} a case that is ${status}` + (allowed.length ? `: allowed when ${allowed.join(', ')}.` : '.');
}

export function invalidTransition(detail: string): ProblemError {
  return new ProblemError(409, 'invalid-transition', 'The action does not fit the case', detail);
}

/** The status after the action, or a 409 saying why the action does not fit. */
export function transition(status: CaseStatus, action: CaseAction, role: Role): CaseStatus {
  const next = TRANSITIONS[action][role]?.[status];
  if (next === undefined) throw invalidTransition(why(action, status, role));
  return next;
}
