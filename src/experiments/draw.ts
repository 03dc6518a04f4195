import { createHmac } from 'node:crypto';
import type { SizeBand } from '../stats/projection.js';

/**
 * The draw and the eligibility rule as plain functions, so a test (or an evaluator with the seed) can recompute
 * every assignment without the service.
 *
 * The draw: HMAC-SHA256 keyed with the experiment's seed over the inquiry id; the first 48 bits of the digest,
 * divided by 2^48, are a number uniform in [0, 1); the arm is the first whose cumulative share exceeds it (shares
 * are normalised by their sum, so 0.333 + 0.333 + 0.334 works). Nothing else enters: the same seed and the same
 * inquiry id give the same arm on any machine, in any order, in any database.
 */
export interface ArmShare { id: string; share: number }

const TWO_POW_48 = 2 ** 48;

export function uniformOf(seed: string, inquiryId: string): number {
  const digest = createHmac('sha256', seed).update(inquiryId).digest();
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

export function armAt<A extends ArmShare>(arms: readonly A[], u: number): A {
  const total = arms.reduce((s, a) => s + a.share, 0);
  let cumulative = 0;
  for (const arm of arms) {
    cumulative += arm.share / total;
    if (u < cumulative) return arm;
  }
  return arms[arms.length - 1]!; // u just under 1 and rounding in the sum
}

export function drawArm<A extends ArmShare>(seed: string, inquiryId: string, arms: readonly A[]): A {
  return armAt(arms, uniformOf(seed, inquiryId));
}

export interface Eligibility {
  /** ISO 3166-2 county codes; empty: every county (an inquiry without a county is then eligible too). */
  counties: string[];
  /** Topic ids (the top classified topic); empty: every topic, and inquiries without one. */
  topics: string[];
  sizeBands: SizeBand[];
  /** Only companies asking for the first time: an organisation number no earlier inquiry had. Without a number, not eligible. */
  firstTimeOnly: boolean;
}

/** What intake knows of a new inquiry when it draws. */
export interface Candidate {
  inquiryId: string;
  receivedAt: number;
  countyCode: string | null;
  topicId: string | null;
  sizeBand: SizeBand;
  /** Whether an earlier inquiry had the same organisation number: null when the inquiry has none. */
  askedBefore: boolean | null;
}

export interface ExperimentWindow { startsAt: number; endsAt: number; stoppedAt: number | null }

/** Active at the inquiry's arrival: startsAt ≤ receivedAt < endsAt, and not stopped. */
export function activeAt(e: ExperimentWindow, at: number): boolean {
  return e.stoppedAt === null && e.startsAt <= at && at < e.endsAt;
}

/** Whether the candidate falls inside the eligibility (the window is checked apart, by activeAt). */
export function eligible(rule: Eligibility, c: Candidate): boolean {
  const within = <T>(list: readonly T[], value: T | null) => list.length === 0 || (value !== null && list.includes(value));
  if (!within(rule.counties, c.countyCode)) return false;
  if (!within(rule.topics, c.topicId)) return false;
  if (!within(rule.sizeBands, c.sizeBand)) return false;
  if (rule.firstTimeOnly && c.askedBefore !== false) return false;
  return true;
}
