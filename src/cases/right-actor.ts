/**
 * Which contacts reached the right actor. The deadline measures the company reaching the *right* actor
 * (DOMAIN.md): a contact counts unless the actor that made it later referred the case on as `misrouted`
 * ("we are the wrong actor for this question"). A referral for an `additional-need` ("we helped; the company
 * also needs another actor") keeps the contact. A referral whose kind is not known (history from before
 * referrals had kinds, imports that do not say) keeps it too, which is how those were always counted.
 *
 * One rule, used by the cases capability (the case's first contact and deadline state) and by the statistics'
 * projection (the figures), so that the two never disagree.
 */
export const REFERRAL_KINDS = ['misrouted', 'additional-need'] as const;
export type ReferralKind = (typeof REFERRAL_KINDS)[number];

export interface ContactStep {
  type: 'contact';
  /** The actor that made the contact; null for a county coordinator on a triage case. */
  actorId: string | null;
  /** The instant the contact claims. */
  at: number;
  channel: string | null;
  /** Recorded more than BACKDATED_CONTACT_HOURS after the instant it claims. */
  backdated: boolean;
}

export interface ReferralStep {
  type: 'referral';
  from: string | null;
  to: string | null;
  kind: ReferralKind | null;
}

export type CaseStep = ContactStep | ReferralStep;

/** The contacts that are right-actor contacts, in history order. */
export function rightActorContacts(steps: readonly CaseStep[]): ContactStep[] {
  const misroutedLater = new Set<string>();
  const kept: ContactStep[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    if (step.type === 'referral') {
      if (step.kind === 'misrouted' && step.from !== null) misroutedLater.add(step.from);
    } else if (step.actorId === null || !misroutedLater.has(step.actorId)) {
      kept.push(step);
    }
  }
  return kept.reverse();
}

export interface ContactSummary {
  /** The first contact recorded, by any actor. */
  firstResponse: ContactStep | null;
  /** The first right-actor contact recorded: what the deadline measures. */
  firstRightContact: ContactStep | null;
}

/** "First" is the first recorded (history order), as it always was: a later contact never moves the clock. */
export function contactSummary(steps: readonly CaseStep[]): ContactSummary {
  const firstResponse = steps.find((s): s is ContactStep => s.type === 'contact') ?? null;
  return { firstResponse, firstRightContact: rightActorContacts(steps)[0] ?? null };
}

interface EventLike { type: string; at: number; data: Record<string, unknown> }

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The contact and referral steps of a case's history (`first-contact` and `referred` events). */
export function stepsOf(events: readonly EventLike[]): CaseStep[] {
  const steps: CaseStep[] = [];
  for (const e of events) {
    if (e.type === 'first-contact') {
      steps.push({ type: 'contact', actorId: str(e.data.actorId), at: e.at, channel: str(e.data.channel), backdated: e.data.backdated === true });
    } else if (e.type === 'referred') {
      const kind = str(e.data.kind);
      steps.push({ type: 'referral', from: str(e.data.from), to: str(e.data.to), kind: (REFERRAL_KINDS as readonly string[]).includes(kind ?? '') ? kind as ReferralKind : null });
    }
  }
  return steps;
}
