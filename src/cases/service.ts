import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { groupCommit } from '../db/group-commit.js';
import type { Classification } from '../classification/classifier.js';
import type { ReferenceService } from '../reference/service.js';
import type { Principal } from '../auth/service.js';
import { appendEvent, listEvents, type EventActor, type Tx } from '../history/events.js';
import { deadlineState, type DeadlineState } from '../deadlines/state.js';
import type { DeadlinePolicy } from '../deadlines/policy.js';
import { maskPersonnummer } from '../intake/org-number.js';
import { badRequest, notFound, ProblemError, unprocessable } from '../shared/problems.js';
import type { Clock } from '../shared/clock.js';
import { decodeCursor, encodeCursor, queryFingerprint, type CursorPosition } from './cursor.js';
import { checkIfMatch } from './preconditions.js';
import { sortKey, type CaseOrder, type CaseRepository, type CaseRow, type CaseScope, type CaseSummaryRow, type ListFilter } from './repository.js';
import { actionsFrom, invalidTransition, transition, type CaseAction, type CaseStatus } from './state-machine.js';
import type { CloseOutcome, ContactChannel, ListCasesQuery } from './schemas.js';
import { both } from '../shared/i18n.js';
import { refuseIfErased } from '../privacy/personal-data.js';
import type { CaseChange, Notifier } from '../notifications/outbox.js';
import { contactSummary, stepsOf, type ReferralKind } from './right-actor.js';
import type { StatsProjection } from '../stats/projection.js';
import type { InquiryChannel } from '../intake/schemas.js';
import type { CaseExperiment } from '../experiments/case-experiment.js';

export interface CaseServiceDeps {
  db: Db;
  repository: CaseRepository;
  reference: ReferenceService;
  clock: Clock;
  /** The at-risk window (AT_RISK_HOURS) in milliseconds. */
  atRiskMs: number;
  /** Queues the e-mails and webhooks an action causes, in the action's transaction (src/notifications). */
  notify?: Pick<Notifier, 'caseChanged'> | undefined;
  /** A contact recorded more than this long after the instant it claims is flagged backdated (BACKDATED_CONTACT_HOURS). */
  backdatedMs: number;
  /** The statistics' projection, told of every change in the action's transaction. */
  projection: StatsProjection;
  /** The pilot experiment a case was drawn into, with the instruction in the case's language (src/experiments); null when none. */
  experimentOf?: ((inquiryId: string, language: string) => CaseExperiment | null) | undefined;
}

export type ActionInput =
  | { action: 'claim' }
  | { action: 'release' }
  | { action: 'first-contact'; channel: ContactChannel; at?: number | undefined; note?: string | undefined; withActors?: string[] | undefined }
  | { action: 'refer'; toActor: string; kind: ReferralKind; reason: string }
  | { action: 'note'; text: string; withActors?: string[] | undefined }
  | { action: 'close'; outcome: CloseOutcome; note?: string | undefined }
  | { action: 'assign'; actor: string; note?: string | undefined };

/** A client clock a little ahead of ours is not "the future": contact times up to this far ahead count as now. */
const CLOCK_SKEW_MS = 60_000;
/** Closing as helped or referred-outside says the company was reached: first contact must be recorded. */
const OUTCOMES_NEEDING_CONTACT: ReadonlySet<CloseOutcome> = new Set(['helped', 'referred-outside']);

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const NOT_FOUND = 'No case with this id.';

/**
 * Cases: inquiries as the people who work them see them. Every read and action is scoped to the caller
 * (a caseworker sees its actor's cases, a coordinator its counties'); a case outside the scope is "not
 * found", never "forbidden", so its existence does not leak. Every action runs in one immediate write
 * transaction: the scoped read, the If-Match check, the state machine, the row update (version and
 * updatedAt) and the event naming the key and its role.
 */
/** What an action tells others (src/notifications/outbox.ts), or null. */
function changeOf(input: ActionInput, row: CaseRow, at: number): CaseChange | null {
  switch (input.action) {
    case 'assign': return { type: 'assigned', inquiryId: row.id, at, previousActorId: row.assignedActorId };
    case 'refer': return { type: 'referred', inquiryId: row.id, at, previousActorId: row.assignedActorId };
    case 'first-contact': return { type: 'first-contact', inquiryId: row.id, at };
    case 'close': return { type: 'closed', inquiryId: row.id, at, outcome: input.outcome };
    default: return null;
  }
}

export function createCaseService({ db, repository, reference, clock, atRiskMs, backdatedMs, projection, notify, experimentOf }: CaseServiceDeps) {
  const writes = groupCommit(db.$client);
  function scopeOf(p: Principal): CaseScope {
    if (p.role === 'caseworker' && p.actorId) return { kind: 'actor', actorId: p.actorId, counties: p.counties };
    if (p.role === 'coordinator') return { kind: 'counties', counties: p.counties };
    throw new ProblemError(403, 'forbidden', 'Not allowed', 'Cases are for caseworker and coordinator keys.');
  }

  const actorRef = (id: string | null) => {
    if (!id) return null;
    const a = reference.actor(id);
    return a ? { id: a.id, name: a.name, kind: a.kind } : { id, name: id, kind: 'public' as const };
  };

  const stateOf = (row: Pick<CaseSummaryRow, 'deadlinePolicy' | 'deadlineAt' | 'firstContactAt' | 'closedAt'>, now: number): DeadlineState =>
    deadlineState({ policy: row.deadlinePolicy as DeadlinePolicy, deadlineAt: row.deadlineAt, firstContactAt: row.firstContactAt, closedAt: row.closedAt }, now, atRiskMs);

  function summary(row: CaseSummaryRow, now: number) {
    const classification = row.classification as Classification;
    return {
      id: row.id,
      reference: row.reference,
      status: row.status as CaseStatus,
      version: row.version,
      receivedAt: iso(row.receivedAt),
      channel: row.channel as InquiryChannel,
      entryPoint: row.entryPoint,
      updatedAt: iso(row.updatedAt),
      county: reference.countyRef(row.countyCode),
      companyName: row.companyName,
      topics: classification.topics.map((t) => ({ id: t.id, name: t.name })),
      assignedActor: actorRef(row.assignedActorId),
      claimedBy: row.claimedByKeyId ? { keyId: row.claimedByKeyId, label: row.claimLabel ?? row.claimedByKeyId, at: iso(row.claimedAt ?? row.updatedAt) } : null,
      deadline: {
        dueAt: iso(row.deadlineAt), policy: row.deadlinePolicy as DeadlinePolicy,
        state: stateOf(row, now), firstContactAt: isoOrNull(row.firstContactAt), firstResponseAt: isoOrNull(row.firstResponseAt),
      },
      triageReason: row.triageReason,
      closedAt: isoOrNull(row.closedAt),
      outcome: row.outcome as CloseOutcome | null,
    };
  }

  /** The key holding the claim, unless it was revoked (then the case is free to take over). */
  const activeHolder = (row: CaseRow) => (row.claimedByKeyId && row.claimRevokedAt === null ? row.claimedByKeyId : null);

  /** Who holds the case, beyond what the table says; throws 409 with the reason. */
  function checkHolder(action: CaseAction, row: CaseRow, p: Principal): void {
    if (p.role !== 'caseworker') return;
    const holder = activeHolder(row);
    const heldBy = `"${row.claimLabel ?? row.claimedByKeyId}"`;
    if (action === 'claim') {
      if (holder === p.keyId) throw invalidTransition('You have already claimed this case.');
      if (holder) throw invalidTransition(`The case is claimed by ${heldBy}: they can release it, or a coordinator can reassign it.`);
    } else if (action === 'release') {
      if (!row.claimedByKeyId) throw invalidTransition('The case is not claimed, so there is nothing to release.');
      if (holder && holder !== p.keyId) throw invalidTransition(`The case is claimed by ${heldBy}: only they can release it.`);
    } else if (action !== 'note' && holder && holder !== p.keyId) {
      throw invalidTransition(`The case is claimed by ${heldBy}: they can release it, or a coordinator can reassign it.`);
    }
  }

  function allowedActions(row: CaseRow, p: Principal): CaseAction[] {
    return actionsFrom(row.status as CaseStatus, p.role).filter((a) => {
      try {
        checkHolder(a, row, p);
        return true;
      } catch {
        return false;
      }
    });
  }

  function detail(row: CaseRow, p: Principal, now: number) {
    const classification = row.classification as Classification;
    const n = row.orgNumber;
    // A sole trader's number is the owner's personnummer: in full only for the actor working the case.
    const fullNumber = p.role === 'caseworker' && p.actorId === row.assignedActorId;
    const orgNumber = n === null ? null : row.orgNumberIsPersonal && !fullNumber ? maskPersonnummer(n) : `${n.slice(0, 6)}-${n.slice(6)}`;
    const municipality = row.municipalityCode ? reference.places.resolveMunicipalityInput(row.municipalityCode) : undefined;
    return {
      ...summary(row, now),
      company: { name: row.companyName, orgNumber, orgNumberIsPersonal: row.orgNumberIsPersonal, employees: row.employees },
      contact: { name: row.contactName, email: row.contactEmail, phone: row.contactPhone },
      subject: row.subject,
      message: row.message,
      language: row.language,
      municipality: municipality ? { code: municipality.code, name: municipality.name } : null,
      classification: {
        confidence: classification.confidence,
        topics: classification.topics.map((t) => ({ id: t.id, name: t.name, score: t.score, matchedWords: t.matchedWords })),
        outOfScope: classification.outOfScope
          ? { id: classification.outOfScope.id, name: classification.outOfScope.name, matchedWords: classification.outOfScope.matchedWords }
          : null,
      },
      alternatives: (row.alternatives as string[]).map((id) => actorRef(id)!),
      firstAssignedActor: actorRef(row.firstAssignedActorId),
      experiment: experimentOf?.(row.id, row.language) ?? null,
      actions: allowedActions(row, p),
    };
  }

  function requireCase(id: string, scope: CaseScope, tx?: Tx): CaseRow {
    const row = repository.find(id, scope, tx);
    if (!row) throw notFound(NOT_FOUND);
    return row;
  }

  function resolveCounties(inputs: string[] | undefined): string[] | undefined {
    if (!inputs?.length) return undefined;
    const invalid = inputs.filter((c) => !reference.places.resolveCountyInput(c));
    if (invalid.length) {
      throw badRequest(null, invalid.map((c) => ({
        name: 'querystring.county', reason: both(`Unknown county "${c}": use SE-M, 12 or Skåne`, `Okänt län "${c}": ange SE-M, 12 eller Skåne`),
      })));
    }
    return [...new Set(inputs.map((c) => reference.places.resolveCountyInput(c)!.code))].sort();
  }

  function checkTopics(topics: string[] | undefined): string[] | undefined {
    if (!topics?.length) return undefined;
    const known = new Set(reference.topics().map((t) => t.id));
    const unknown = topics.filter((t) => !known.has(t));
    if (unknown.length) {
      throw badRequest(null, unknown.map((t) => ({
        name: 'querystring.topic', reason: both(`Unknown topic "${t}": see /v1/topics`, `Okänt ämne "${t}": se /v1/topics`),
      })));
    }
    return [...new Set(topics)].sort();
  }

  /** Keyset paging; with a deadline-state filter the exact state is checked here and batches continue until the page is full. */
  function page(filter: ListFilter, order: CaseOrder, after: CursorPosition | undefined, limit: number, fingerprint: string, now: number, accept?: (row: CaseSummaryRow) => boolean) {
    const batch = accept ? Math.max(limit * 2, 50) : limit + 1;
    const found: CaseSummaryRow[] = [];
    let position = after;
    for (;;) {
      const rows = repository.list(filter, order, position, batch);
      for (const row of rows) {
        if (accept && !accept(row)) continue;
        found.push(row);
        if (found.length > limit) break;
      }
      if (found.length > limit || rows.length < batch) break;
      position = sortKey(order, rows[rows.length - 1]!);
    }
    const items = found.slice(0, limit);
    const nextCursor = found.length > limit ? encodeCursor(sortKey(order, items[items.length - 1]!), fingerprint) : null;
    return { items: items.map((r) => summary(r, now)), nextCursor };
  }

  /** Checks that an actor can take a case: it exists, is active and serves the case's county. */
  function checkReceivingActor(actorId: string, row: CaseRow, field: string) {
    const actor = reference.actor(actorId);
    if (!actor) throw unprocessable('unknown-actor', 'Unknown actor', `${field}: there is no actor "${actorId}" (see /v1/actors).`);
    if (!actor.active) throw unprocessable('inactive-actor', 'Inactive actor', `${field}: ${actor.name} no longer takes inquiries.`);
    if (row.countyCode && !reference.presenceOf(actor.id).some((p) => p.countyCode === row.countyCode)) {
      throw unprocessable('actor-not-in-county', 'The actor does not serve this county',
        `${field}: ${actor.name} has no presence in ${reference.countyRef(row.countyCode)?.name ?? row.countyCode}.`);
    }
    return actor;
  }

  /** Other actors named as taking part (joint visits and meetings): known actors, each once. */
  function checkWithActors(ids: string[] | undefined): string[] | undefined {
    if (!ids?.length) return undefined;
    const unknown = ids.filter((id) => !reference.actor(id));
    if (unknown.length) {
      const list = unknown.map((a) => `"${a}"`).join(', ');
      throw badRequest(both(`body.withActors: unknown actor ${list} (see /v1/actors)`, `body.withActors: okänd aktör ${list} (se /v1/actors)`),
        [{ name: 'body.withActors', reason: both('Unknown actor id', 'Okänt aktörs-id') }]);
    }
    return [...new Set(ids)];
  }

  function addNote(tx: Tx, row: CaseRow, p: Principal, kind: string, text: string | undefined, at: number): string | undefined {
    if (text === undefined) return undefined;
    // Erasure is a state: an erased case takes no new free text, which may name people.
    refuseIfErased(row.erasedAt, kind === 'note'
      ? both('notes can no longer be added', 'anteckningar kan inte längre läggas till')
      : kind === 'referral'
        ? both('a referral needs a reason, so a coordinator must assign the case instead', 'en hänvisning kräver en motivering, så en samordnare får tilldela ärendet i stället')
        : both('send the action again without the note', 'skicka åtgärden igen utan anteckning'));
    const id = randomUUID();
    repository.insertNote(tx, { id, inquiryId: row.id, kind, text, authorKeyId: p.keyId, authorRole: p.role, createdAt: at });
    return id;
  }

  /**
   * Carries out an action in one write transaction (a savepoint in the group commit shared with the other writes of
   * this event-loop turn, so a burst of actions and inquiries pays one fsync); settles after the COMMIT.
   */
  function apply(p: Principal, id: string, input: ActionInput, ifMatch: string | undefined): Promise<void> {
    const scope = scopeOf(p);
    return writes.run(() => db.transaction((tx) => {
      const now = clock();
      const row = requireCase(id, scope, tx);
      checkIfMatch(ifMatch, row.version);
      const next = transition(row.status as CaseStatus, input.action, p.role);
      checkHolder(input.action, row, p);

      const by: EventActor = { by: p.keyId, byRole: p.role };
      // Never backwards, so a poller's updatedSince cannot miss this change.
      const updatedAt = Math.max(now, row.updatedAt);
      const update = (set: Parameters<CaseRepository['update']>[3]) => {
        if (!repository.update(tx, row.id, row.version, set)) {
          throw new ProblemError(412, 'precondition-failed', 'The case has changed', 'The case changed while this action ran: read it again and retry.');
        }
      };

      switch (input.action) {
        case 'claim': {
          repository.setClaim(tx, row.id, p.keyId, now);
          update({ status: next, updatedAt });
          appendEvent(tx, row.id, 'claimed', now, by, {
            actorId: row.assignedActorId, ...(row.claimedByKeyId ? { takenOverFrom: row.claimedByKeyId } : {}),
          });
          break;
        }
        case 'release': {
          repository.setClaim(tx, row.id, null, null);
          update({ status: next, updatedAt });
          appendEvent(tx, row.id, 'released', now, by, { actorId: row.assignedActorId, heldBy: row.claimedByKeyId });
          break;
        }
        case 'first-contact': {
          let at = input.at ?? now;
          if (at > now + CLOCK_SKEW_MS) throw badRequest(null, [{ name: 'body.at', reason: both('In the future: the contact cannot be later than now', 'I framtiden: kontakten kan inte vara senare än nu') }]);
          at = Math.min(at, now);
          if (at < row.receivedAt) {
            throw badRequest(null, [{
              name: 'body.at',
              reason: both(`Before the inquiry arrived (${iso(row.receivedAt)})`, `Före förfrågans ankomst (${iso(row.receivedAt)})`),
            }]);
          }
          const withActors = checkWithActors(input.withActors);
          // The first right-actor contact stops the clock. A later one (after an additional-need referral) is recorded,
          // not counted; after a misrouted referral there is none, so the receiving actor's contact counts.
          const counted = row.firstContactAt === null;
          // Recorded long after the instant it claims: allowed, and flagged, so the statistics show how common it is.
          const backdated = now - at > backdatedMs;
          const noteId = addNote(tx, row, p, 'first-contact', input.note, now);
          if (p.role === 'caseworker' && !activeHolder(row)) repository.setClaim(tx, row.id, p.keyId, now);
          update({ status: next, updatedAt, ...(counted ? { firstContactAt: at } : {}), ...(row.firstResponseAt === null ? { firstResponseAt: at } : {}) });
          appendEvent(tx, row.id, 'first-contact', at, by, {
            actorId: row.assignedActorId, channel: input.channel, counted, recordedAt: iso(now), ...(backdated ? { backdated: true } : {}),
            ...(withActors ? { withActors } : {}), ...(noteId ? { noteId } : {}),
          });
          break;
        }
        case 'refer': {
          const to = checkReceivingActor(input.toActor, row, 'body.toActor');
          if (to.id === row.assignedActorId) throw unprocessable('same-actor', 'Referral to the same actor', 'body.toActor: the case is already with this actor.');
          const history = listEvents(tx, row.id);
          if (input.kind === 'additional-need' && !history.some((e) => e.type === 'first-contact' && e.data.actorId === row.assignedActorId)) {
            throw new ProblemError(409, 'contact-required', 'Record first contact first', both(
              'An additional-need referral says you helped the company and it also needs another actor: record your contact with it first. ' +
              'If you are the wrong actor for the question, refer it as misrouted.',
              'En hänvisning för ytterligare behov (additional-need) säger att ni har hjälpt företaget och att det också behöver en annan aktör: ' +
              'registrera först er kontakt med det. Är ni fel aktör för frågan, hänvisa den som felriktad (misrouted).'));
          }
          const noteId = addNote(tx, row, p, 'referral', input.reason, now)!;
          repository.setClaim(tx, row.id, null, null);
          // The deadline stays: the clock runs from when the company asked. A misrouted referral takes back the
          // referring actor's contacts: the company has not reached the right actor yet.
          const data = { from: row.assignedActorId, to: to.id, kind: input.kind, contacted: row.firstContactAt !== null, noteId };
          const { firstRightContact } = contactSummary(stepsOf([...history, { type: 'referred', at: now, data }]));
          update({ status: next, updatedAt, assignedActorId: to.id, firstContactAt: firstRightContact?.at ?? null });
          appendEvent(tx, row.id, 'referred', now, by, data);
          break;
        }
        case 'note': {
          const withActors = checkWithActors(input.withActors);
          const noteId = addNote(tx, row, p, 'note', input.text, now)!;
          update({ updatedAt });
          appendEvent(tx, row.id, 'note-added', now, by, { noteId, ...(withActors ? { withActors } : {}) });
          break;
        }
        case 'close': {
          if (OUTCOMES_NEEDING_CONTACT.has(input.outcome) && row.firstContactAt === null) {
            throw new ProblemError(409, 'contact-required', 'Record first contact first',
              `Closing as ${input.outcome} means the company was reached: record first contact before closing.`);
          }
          const noteId = addNote(tx, row, p, 'close', input.note, now);
          repository.setOutcome(tx, row.id, input.outcome);
          update({ status: next, updatedAt, closedAt: now });
          appendEvent(tx, row.id, 'closed', now, by, { outcome: input.outcome, actorId: row.assignedActorId, ...(noteId ? { noteId } : {}) });
          break;
        }
        case 'assign': {
          const to = checkReceivingActor(input.actor, row, 'body.actor');
          if (to.id === row.assignedActorId && row.status === 'assigned' && !row.claimedByKeyId) {
            throw invalidTransition(`The case is already assigned to ${to.name} and nobody has claimed it.`);
          }
          const noteId = addNote(tx, row, p, 'assignment', input.note, now);
          repository.setClaim(tx, row.id, null, null);
          update({ status: next, updatedAt, assignedActorId: to.id, firstAssignedActorId: row.firstAssignedActorId ?? to.id });
          appendEvent(tx, row.id, 'assigned', now, by, {
            from: row.assignedActorId, to: to.id, ...(row.claimedByKeyId ? { unclaimed: row.claimedByKeyId } : {}), ...(noteId ? { noteId } : {}),
          });
          break;
        }
      }
      // The statistics follow in the same transaction (a no-op when the action moved no figure, e.g. a claim).
      const unit = projection.unit();
      unit.caseChanged(row.id);
      unit.flush();
      const change = changeOf(input, row, now);
      if (change) notify?.caseChanged(change);
    }, { behavior: 'immediate' }));
  }

  return {
    scopeOf,

    /** The caller's cases, filtered and paged. */
    list(p: Principal, q: ListCasesQuery) {
      const scope = scopeOf(p);
      const now = clock();
      const order: CaseOrder = q.order ?? (q.updatedSince !== undefined ? 'updated' : 'deadline-desc');
      const counties = resolveCounties(q.county);
      const topics = checkTopics(q.topic);
      const statuses = q.status?.length ? [...new Set(q.status)].sort() : undefined;
      const states = q.deadlineState?.length ? [...new Set(q.deadlineState)].sort() : undefined;
      const fingerprint = queryFingerprint(['cases', order, statuses, counties, topics, states, q.updatedSince]);
      const after = q.cursor ? decodeCursor(q.cursor, fingerprint) : undefined;
      const filter: ListFilter = {
        scope, statuses, counties, topics, updatedSince: q.updatedSince,
        deadlineStates: states ? { states, now, atRiskMs } : undefined,
      };
      const wanted = states ? new Set<DeadlineState>(states) : null;
      return page(filter, order, after, q.limit, fingerprint, now, wanted ? (row) => wanted.has(stateOf(row, now)) : undefined);
    },

    /** A coordinator's queue: its counties' cases without an actor and those past their deadline without contact; most urgent first. */
    triage(p: Principal, q: { county?: string[] | undefined; limit: number; cursor?: string | undefined }) {
      const scope = scopeOf(p);
      const now = clock();
      const counties = resolveCounties(q.county);
      const fingerprint = queryFingerprint(['triage', counties]);
      const after = q.cursor ? decodeCursor(q.cursor, fingerprint) : undefined;
      return page({ scope, counties, triageQueueAt: now }, 'deadline-asc', after, q.limit, fingerprint, now);
    },

    get(p: Principal, id: string) {
      const row = requireCase(id, scopeOf(p));
      return detail(row, p, clock());
    },

    /** The case's history, with the words written with each action (notes live outside the append-only history). */
    events(p: Principal, id: string) {
      requireCase(id, scopeOf(p));
      const events = listEvents(db, id);
      const notes = new Map(repository.notesOf(id).map((n) => [n.id, n]));
      const labels = repository.keyLabels([...new Set(events.filter((e) => e.byRole !== null).map((e) => e.by))]);
      return {
        items: events.map((e) => {
          const noteId = typeof e.data.noteId === 'string' ? e.data.noteId : null;
          const note = noteId ? notes.get(noteId) : undefined;
          return {
            id: e.id, type: e.type, at: iso(e.at), by: e.by, byRole: e.byRole, byLabel: labels.get(e.by) ?? null, data: e.data,
            note: note ? { id: note.id, kind: note.kind, text: note.erasedAt === null ? note.text : null } : null,
          };
        }),
      };
    },

    /**
     * Carries out an action and returns the case as the caller now sees it. After a referral the
     * caller's access has ended, so it gets the summary only (no contact details).
     */
    async act(p: Principal, id: string, input: ActionInput, ifMatch: string | undefined) {
      await apply(p, id, input, ifMatch);
      const now = clock();
      const row = repository.find(id, scopeOf(p));
      if (row) return { visible: true as const, body: detail(row, p, now) };
      const after = requireCase(id, { kind: 'counties', counties: null });
      return { visible: false as const, body: summary(after, now) };
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
