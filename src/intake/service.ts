import { createHash } from 'node:crypto';
import { timeOrderedId } from '../shared/ids.js';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { inquiries } from '../db/schema/index.js';
import type { Classification } from '../classification/classifier.js';
import type { RoutingDecider } from '../routing/decide.js';
import type { ReferenceService } from '../reference/service.js';
import { computeDeadline, type DeadlinePolicy } from '../deadlines/policy.js';
import { localDateOf } from '../deadlines/calendar.js';
import { listEvents, SYSTEM } from '../history/events.js';
import { badRequest, notFound, ProblemError, unprocessable } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { StatusLinks } from './status-links.js';
import { createIntakeRepository } from './repository.js';
import { parseOrgNumber } from './org-number.js';
import { followUpOf } from '../stats/feedback.js';
import type { ProjectionUnit, StatsProjection } from '../stats/projection.js';
import type { Principal } from '../auth/service.js';
import type { InquiryCreated, InquiryRequest, CaseRegistration, RegistrationCreated } from './schemas.js';
import { both } from '../shared/i18n.js';
import type { Notifier } from '../notifications/outbox.js';
import type { ExperimentService } from '../experiments/service.js';

export interface IntakeDeps {
  db: Db;
  reference: ReferenceService;
  /** The routing decision (locate → classify → route), shared with the preview and the evaluation. */
  routing: Pick<RoutingDecider, 'decide'>;
  statusLinks: StatusLinks;
  clock: Clock;
  deadlinePolicy: DeadlinePolicy;
  publicBaseUrl: string;
  /** The statistics' projection: every new inquiry's share is written in its transaction (once per group commit). */
  projection: StatsProjection;
  /** How old a registered inquiry may say it is (MAX_BACKDATED_DAYS), in milliseconds. */
  maxBackdatedMs?: number;
  /** Queues the receipt, the new-case mail and webhooks in the same savepoint. */
  notify?: Pick<Notifier, 'inquiryStored'>;
  /** Records the company's consent to follow-up over months (src/effects), in the same transaction. */
  followUpConsent?: (inquiryId: string, at: number) => void;
  /** Whether the county's export centre had started at that instant (src/effects/start-dates.ts); null when not known. */
  exportCentreStarted?: (countyCode: string | null, at: number) => boolean | null;
  /** Draws an eligible inquiry's experiment arm (src/experiments) and stores it, in the same transaction. */
  experiments?: Pick<ExperimentService, 'assign'>;
}

/** A client clock a little ahead of ours is not "the future". */
const CLOCK_SKEW_MS = 60_000;

type InquiryRow = typeof inquiries.$inferSelect;

export function createIntakeService(deps: IntakeDeps) {
  const { db, reference } = deps;
  // The group's one unit of the statistics' projection, keyed by the projection: one write of the cells per group commit.
  const repository = createIntakeRepository(db, deps.projection, (): ProjectionUnit => deps.projection.unit());

  function nextReference(receivedAt: number): string {
    const year = Number(localDateOf(receivedAt).slice(0, 4));
    return `REC-${year}-${String(repository.nextReferenceNumber(year)).padStart(6, '0')}`;
  }

  const actorRef = (id: string) => {
    const a = reference.actor(id);
    return a ? { id: a.id, name: a.name, kind: a.kind } : { id, name: id, kind: 'public' as const };
  };

  function toCreated(row: InquiryRow, token = deps.statusLinks.tokenFor(row.id)): InquiryCreated {
    const classification = row.classification as Classification;
    return {
      id: row.id,
      reference: row.reference,
      status: row.status === 'triage' ? 'triage' : 'assigned',
      receivedAt: new Date(row.receivedAt).toISOString(),
      deadlineAt: new Date(row.deadlineAt).toISOString(),
      deadlinePolicy: row.deadlinePolicy as DeadlinePolicy,
      county: reference.countyRef(row.countyCode),
      topics: classification.topics.map((t) => ({ id: t.id, name: t.name, score: t.score })),
      assignedActor: row.firstAssignedActorId ? actorRef(row.firstAssignedActorId) : null,
      alternatives: (row.alternatives as string[]).map(actorRef),
      statusUrl: `${deps.publicBaseUrl.replace(/\/$/, '')}/v1/status/${token}`,
      statusToken: token,
    };
  }

  /** Canonical JSON (sorted keys), so the same body in another key order is the same request. */
  function requestHash(body: unknown): string {
    const canonical = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(canonical)
        : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
          : v;
    return createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex');
  }

  /**
   * Where an Idempotency-Key is kept, so that nobody can use another caller's key (keys are often predictable:
   * a counter, a timestamp):
   * - with an API key, in that key's own namespace (`key:<key id>:<idempotency key>`): the same key with another
   *   body is the caller's own mistake, a 422 that tells it nothing about anybody else;
   * - anonymously (browser forms), bound to the request's content (`anon:` and a digest of the key and the
   *   canonical body): a replay needs the same key and the same body, so a foreign submission with the same key
   *   can neither block this one (it is simply another request) nor learn that the key was used (no 422).
   */
  function idempotencySlot(key: string, hash: string, callerKeyId: string | undefined): { slot: string; bound: boolean } {
    if (callerKeyId) return { slot: `key:${callerKeyId}:${key}`, bound: false };
    return { slot: `anon:${createHash('sha256').update(`${key}\u0000${hash}`).digest('hex')}`, bound: true };
  }

  return {
    /** Receives an inquiry: validates, locates, classifies, routes, sets the deadline, stores it with its history. */
    async submit(body: InquiryRequest, options: { idempotencyKey?: string | undefined; callerKeyId?: string | undefined }): Promise<{ created: InquiryCreated; replayed: boolean }> {
      const hash = options.idempotencyKey ? requestHash(body) : null;
      const idempotency = options.idempotencyKey ? { ...idempotencySlot(options.idempotencyKey, hash!, options.callerKeyId), hash: hash! } : null;
      if (idempotency) {
        const replay = replayOf(idempotency);
        if (replay) return { created: toCreated(replay), replayed: true };
      }

      const org = body.company.orgNumber ? parseOrgNumber(body.company.orgNumber) : null;
      const outcome = deps.routing.decide({ ...body, employees: body.company.employees });
      const { location, classification, decision } = outcome;
      // Time-ordered ids (UUIDv7): new rows land at the end of the primary-key index instead of on a
      // random page, which keeps each commit's writes small as the table grows.
      const id = timeOrderedId();
      const token = deps.statusLinks.tokenFor(id);
      const tokenHash = StatusLinks.hash(token);

      const result = await repository.inWriteTransaction((stats) => {
        // Stamped inside the commit, so no poller can see a later change committed before this inquiry.
        const receivedAt = deps.clock();
        const deadline = computeDeadline(deps.deadlinePolicy, receivedAt);
        // Re-checked inside the write transaction: a concurrent double submit may have just landed.
        if (idempotency) {
          const replay = replayOf(idempotency);
          if (replay) return { replay };
        }
        const reference = nextReference(receivedAt);
        const row: InquiryRow = {
          id, reference, receivedAt, channel: 'form', entryPoint: body.entryPoint ?? null, updatedAt: receivedAt, version: 1,
          status: decision.status,
          countyCode: location.countyCode, municipalityCode: location.municipalityCode, countySource: location.source,
          companyName: body.company.name,
          orgNumber: org?.normalized ?? null, orgNumberIsPersonal: org?.isPersonnummer ?? false,
          employees: body.company.employees ?? null,
          contactName: body.contact.name, contactEmail: body.contact.email, contactPhone: body.contact.phone ?? null,
          subject: body.subject ?? null, message: body.message, language: body.language ?? guessLanguage(body.message),
          deadlinePolicy: deadline.policy, deadlineAt: deadline.deadlineAt,
          assignedActorId: decision.assignedActorId, firstAssignedActorId: decision.assignedActorId,
          classification, confidence: classification.confidence, alternatives: decision.alternatives,
          triageReason: decision.triageReason, statusTokenHash: tokenHash, firstContactAt: null, firstResponseAt: null, closedAt: null, erasedAt: null,
        };
        repository.insertInquiry({ ...row, alternatives: decision.alternatives });
        // A pilot's draw (src/experiments): the arm, if any, is stored and recorded with the rest of the history.
        const assignment = deps.experiments?.assign({
          inquiryId: id, receivedAt, countyCode: location.countyCode, topicId: classification.topics[0]?.id ?? null,
          employees: body.company.employees ?? null, orgNumber: org?.normalized ?? null,
        }, receivedAt) ?? null;

        // The history: what arrived, where it is, what it is about, where it went, when it is due.
        const events = [
          { type: 'received', by: 'company', data: {
            channel: 'form', reference, language: row.language, ...(row.entryPoint ? { entryPoint: row.entryPoint } : {}),
            hasOrgNumber: org !== null, orgNumberIsPersonal: org?.isPersonnummer ?? false,
            followUpConsent: body.followUpConsent === true,
            exportCentreStarted: deps.exportCentreStarted?.(location.countyCode, receivedAt) ?? null,
          } },
          { type: 'located', by: SYSTEM.by, data: {
            countyCode: location.countyCode, municipalityCode: location.municipalityCode, source: location.source,
            evidence: location.detection?.evidence ?? [], ambiguous: location.detection?.ambiguous ?? [],
          } },
          { type: 'classified', by: SYSTEM.by, data: {
            confidence: classification.confidence,
            topics: classification.topics.map((t) => ({ id: t.id, score: t.score, rawScore: t.rawScore, matchedWords: t.matchedWords })),
            outOfScope: classification.outOfScope,
            actors: (classification.actors ?? []).slice(0, 3), addressedTo: classification.addressedTo ?? null,
          } },
          decision.status === 'assigned'
            ? { type: 'routed', by: SYSTEM.by, data: {
              actorId: decision.assignedActorId, alternatives: decision.alternatives, topicId: decision.topicId,
              explanation: decision.explanation, excluded: decision.excluded,
            } }
            : { type: 'sent-to-triage', by: SYSTEM.by, data: {
              reason: decision.triageReason, countyCode: location.countyCode, topicId: decision.topicId,
              explanation: decision.explanation, excluded: decision.excluded,
            } },
          { type: 'deadline-set', by: SYSTEM.by, data: {
            policy: deadline.policy, startAt: new Date(deadline.startAt).toISOString(),
            deadlineAt: new Date(deadline.deadlineAt).toISOString(), skippedDays: deadline.skippedDays,
          } },
          ...(assignment ? [{ type: 'experiment-assigned', by: SYSTEM.by, data: { experimentId: assignment.experimentId, armId: assignment.armId } }] : []),
        ];
        repository.appendEvents(id, receivedAt, events);
        if (body.followUpConsent) deps.followUpConsent?.(id, receivedAt);
        if (idempotency) repository.insertIdempotencyKey(idempotency.slot, idempotency.hash, id, receivedAt);
        deps.notify?.inquiryStored(row);
        // Last: the statistics' share of this inquiry, buffered for the group's one write of the cells.
        stats.inquiryStored({ ...row }, events.map((e) => ({ ...e, at: receivedAt })));
        return { inserted: row };
      });
      if ('replay' in result) return { created: toCreated(result.replay!), replayed: true };
      return { created: toCreated(result.inserted, token), replayed: false };
    },

    /**
     * Registers an inquiry that reached an actor or a coordinator another way (phone, e-mail, visit, event), at the
     * instant it really arrived: located, classified and given alternatives like any inquiry, its deadline running
     * from `receivedAt`. A caseworker's actor holds it (claimed by the caseworker) unless `assignTo` routes it on; a
     * coordinator's goes where routing sends it unless `assignTo` names an actor.
     */
    async register(p: Principal, body: CaseRegistration, options: { idempotencyKey?: string | undefined }): Promise<{ created: RegistrationCreated; replayed: boolean }> {
      const now = deps.clock();
      const receivedAt = body.receivedAt;
      const invalid = (en: string, sv: string) => badRequest(both(`body.receivedAt: ${en}`, `body.receivedAt: ${sv}`), [{ name: 'body.receivedAt', reason: both(en, sv) }]);
      if (receivedAt > now + CLOCK_SKEW_MS) throw invalid('In the future', 'I framtiden');
      const maxBackdatedMs = deps.maxBackdatedMs ?? 14 * 86_400_000;
      const days = Math.round(maxBackdatedMs / 86_400_000);
      if (receivedAt < now - maxBackdatedMs) {
        throw invalid(`More than ${days} days ago (MAX_BACKDATED_DAYS): register inquiries when they arrive, or import older ones`,
          `Mer än ${days} dagar sedan (MAX_BACKDATED_DAYS): registrera förfrågningar när de kommer in, eller importera äldre`);
      }
      const key = options.idempotencyKey ? `registration:${p.keyId}:${options.idempotencyKey}` : null;
      const hash = key ? requestHash(body) : null;
      if (key) {
        const replay = replayOf({ slot: key, hash: hash!, bound: false });
        if (replay) return { created: toRegistered(replay), replayed: true };
      }

      const org = body.company.orgNumber ? parseOrgNumber(body.company.orgNumber) : null;
      const { location, classification, decision } = deps.routing.decide({ ...body, employees: body.company.employees });
      if (location.countyCode && p.counties !== null && !p.counties.includes(location.countyCode)) {
        throw new ProblemError(403, 'forbidden', 'Not allowed', both(`This key is limited to ${p.counties.join(', ')}: register inquiries in those counties.`,
          `Den här nyckeln gäller bara ${p.counties.join(', ')}: registrera förfrågningar i de länen.`));
      }
      // Who holds it: the caseworker's own actor, unless it is routed on; for a coordinator, routing's choice unless it names an actor.
      let holder: string | null;
      let routed = false;
      if (body.assignTo === 'routing' || (body.assignTo === undefined && p.role !== 'caseworker')) {
        holder = decision.assignedActorId;
        routed = true;
      } else {
        holder = body.assignTo ?? p.actorId;
        const actor = holder ? reference.actor(holder) : undefined;
        if (!actor) throw unprocessable('unknown-actor', 'Unknown actor', both(`body.assignTo: there is no actor "${holder}" (see /v1/actors).`, `body.assignTo: det finns ingen aktör "${holder}" (se /v1/actors).`));
        if (!actor.active) throw unprocessable('inactive-actor', 'Inactive actor', both(`body.assignTo: ${actor.name} no longer takes inquiries.`, `body.assignTo: ${actor.name} tar inte längre emot förfrågningar.`));
        if (body.assignTo !== undefined && location.countyCode && !reference.presenceOf(actor.id).some((x) => x.countyCode === location.countyCode)) {
          const county = reference.countyRef(location.countyCode)?.name;
          throw unprocessable('actor-not-in-county', 'The actor does not serve this county', both(`body.assignTo: ${actor.name} has no presence in ${county}.`, `body.assignTo: ${actor.name} finns inte i ${county}.`));
        }
      }
      const claimedBy = p.role === 'caseworker' && holder === p.actorId ? p.keyId : null;
      const status = holder === null ? 'triage' : claimedBy ? 'claimed' : 'assigned';
      const alternatives = [...new Set([decision.assignedActorId, ...decision.alternatives])].filter((a): a is string => a !== null && a !== holder);
      const id = timeOrderedId();
      const token = deps.statusLinks.tokenFor(id);

      const result = await repository.inWriteTransaction((stats) => {
        const at = Math.max(deps.clock(), now);
        if (key) {
          const replay = replayOf({ slot: key, hash: hash!, bound: false });
          if (replay) return { replay };
        }
        const deadline = computeDeadline(deps.deadlinePolicy, receivedAt);
        const ref = nextReference(receivedAt);
        const row: InquiryRow = {
          id, reference: ref, receivedAt, channel: body.channel, entryPoint: body.entryPoint ?? null, updatedAt: at, version: 1, status,
          countyCode: location.countyCode, municipalityCode: location.municipalityCode, countySource: location.source,
          companyName: body.company.name, orgNumber: org?.normalized ?? null, orgNumberIsPersonal: org?.isPersonnummer ?? false,
          employees: body.company.employees ?? null,
          contactName: body.contact.name, contactEmail: body.contact.email, contactPhone: body.contact.phone ?? null,
          subject: body.subject ?? null, message: body.message, language: body.language ?? guessLanguage(body.message),
          deadlinePolicy: deadline.policy, deadlineAt: deadline.deadlineAt,
          assignedActorId: holder, firstAssignedActorId: holder,
          classification, confidence: classification.confidence, alternatives,
          triageReason: holder === null ? decision.triageReason : null, statusTokenHash: StatusLinks.hash(token),
          firstContactAt: null, firstResponseAt: null, closedAt: null, erasedAt: null,
        };
        repository.insertInquiry({ ...row, alternatives });
        // A pilot's draw, by the instant the company really asked (the window and eligibility are the form's).
        const assignment = deps.experiments?.assign({
          inquiryId: id, receivedAt, countyCode: location.countyCode, topicId: classification.topics[0]?.id ?? null,
          employees: body.company.employees ?? null, orgNumber: org?.normalized ?? null,
        }, at) ?? null;
        const by = p.keyId;
        const events = [
          { type: 'received', at: receivedAt, by, data: {
            channel: body.channel, reference: ref, language: row.language, registered: true, recordedAt: new Date(at).toISOString(),
            ...(row.entryPoint ? { entryPoint: row.entryPoint } : {}), hasOrgNumber: org !== null, orgNumberIsPersonal: org?.isPersonnummer ?? false,
            followUpConsent: false, exportCentreStarted: deps.exportCentreStarted?.(location.countyCode, receivedAt) ?? null,
          } },
          { type: 'located', at, by: SYSTEM.by, data: {
            countyCode: location.countyCode, municipalityCode: location.municipalityCode, source: location.source,
            evidence: location.detection?.evidence ?? [], ambiguous: location.detection?.ambiguous ?? [],
          } },
          { type: 'classified', at, by: SYSTEM.by, data: {
            confidence: classification.confidence,
            topics: classification.topics.map((t) => ({ id: t.id, score: t.score, rawScore: t.rawScore, matchedWords: t.matchedWords })),
            outOfScope: classification.outOfScope,
          } },
          !routed
            ? { type: 'assigned', at, by, data: { from: null, to: holder, registered: true, routingSuggested: decision.assignedActorId, alternatives } }
            : decision.status === 'assigned'
              ? { type: 'routed', at, by: SYSTEM.by, data: {
                actorId: decision.assignedActorId, alternatives: decision.alternatives, topicId: decision.topicId,
                explanation: decision.explanation, excluded: decision.excluded,
              } }
              : { type: 'sent-to-triage', at, by: SYSTEM.by, data: {
                reason: decision.triageReason, countyCode: location.countyCode, topicId: decision.topicId,
                explanation: decision.explanation, excluded: decision.excluded,
              } },
          { type: 'deadline-set', at, by: SYSTEM.by, data: {
            policy: deadline.policy, startAt: new Date(deadline.startAt).toISOString(),
            deadlineAt: new Date(deadline.deadlineAt).toISOString(), skippedDays: deadline.skippedDays,
          } },
          ...(claimedBy ? [{ type: 'claimed', at, by, data: { actorId: holder } }] : []),
          ...(assignment ? [{ type: 'experiment-assigned', at, by: SYSTEM.by, data: { experimentId: assignment.experimentId, armId: assignment.armId } }] : []),
        ];
        repository.appendEventRows(id, events.map((e) => ({ ...e, byRole: e.by === SYSTEM.by ? null : p.role })));
        if (claimedBy) repository.insertClaim(id, claimedBy, at);
        if (key) repository.insertIdempotencyKey(key, hash!, id, at);
        // The same messages as a form's inquiry (receipt, the office's new case, webhooks), stamped now, not at the arrival.
        deps.notify?.inquiryStored(row, at);
        // Last: the statistics' share, buffered for the group's one write of the cells.
        stats.inquiryStored({ ...row }, events);
        return { inserted: row };
      });
      if ('replay' in result) return { created: toRegistered(result.replay!), replayed: true };
      return { created: toRegistered(result.inserted, token), replayed: false };
    },

    /** What the company sees through its private link: milestones, never caseworkers' words. */
    statusFor(token: string) {
      const row = db.select().from(inquiries).where(eq(inquiries.statusTokenHash, StatusLinks.hash(token))).get();
      if (!row) throw notFound(both('No inquiry has this status link.', 'Ingen förfrågan har den här statuslänken.'));
      const created = toCreated(row);
      const milestones = new Set(['received', 'routed', 'sent-to-triage', 'assigned', 'claimed', 'first-contact', 'referred', 'closed']);
      const history = listEvents(db, row.id)
        .filter((e) => milestones.has(e.type))
        .map((e) => ({ type: e.type, at: new Date(e.at).toISOString() }));
      const current = row.assignedActorId ? reference.actor(row.assignedActorId) : undefined;
      return {
        reference: row.reference,
        status: row.status,
        receivedAt: created.receivedAt,
        deadlineAt: created.deadlineAt,
        county: created.county,
        assignedActor: current ? { id: current.id, name: current.name, kind: current.kind } : null,
        alternatives: created.alternatives,
        history,
        followUp: followUpOf(db, row, token),
      };
    },

    /** The language the company wrote in, for the status page (which speaks to the company in it). */
    languageFor(token: string): 'sv' | 'en' {
      const row = db.select({ language: inquiries.language }).from(inquiries).where(eq(inquiries.statusTokenHash, StatusLinks.hash(token))).get();
      if (!row) throw notFound('No inquiry has this status link.');
      return row.language === 'en' ? 'en' : 'sv';
    },
  };

  function toRegistered(row: InquiryRow, token?: string): RegistrationCreated {
    return { ...toCreated(row, token), status: row.status as RegistrationCreated['status'], channel: row.channel as RegistrationCreated['channel'] };
  }

  function replayOf({ slot, hash, bound }: { slot: string; hash: string; bound: boolean }, tx: Pick<Db, 'select'> = db): InquiryRow | null {
    const existing = repository.findIdempotencyKey(slot);
    if (!existing) return null;
    // A slot bound to the content cannot hold another body; a key's own namespace can, by the caller's own mistake.
    if (!bound && existing.requestHash !== hash) {
      throw new ProblemError(422, 'idempotency-key-reused', 'Idempotency key reused with a different request',
        both('This Idempotency-Key was already used for a different inquiry. Use a new key for a new inquiry.',
          'Denna Idempotency-Key har redan använts för en annan förfrågan. Använd en ny nyckel för en ny förfrågan.'));
    }
    return tx.select().from(inquiries).where(eq(inquiries.id, existing.inquiryId)).get() ?? null;
  }
}

export type IntakeService = ReturnType<typeof createIntakeService>;

/** When the form does not say, a rough guess: Swedish letters or common Swedish words. */
function guessLanguage(message: string): 'sv' | 'en' {
  return /[åäö]|\b(och|att|vi|är|för|jag|med|hej)\b/i.test(message) ? 'sv' : 'en';
}
