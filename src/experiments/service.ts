import { randomBytes } from 'node:crypto';
import type { AuditActor, AuditLog } from '../audit/service.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import { both } from '../shared/i18n.js';
import { badRequest, conflict, notFound, ProblemError, type InvalidParam } from '../shared/problems.js';
import { sizeBandOf } from '../stats/projection.js';
import { activeAt, drawArm, eligible, type Candidate, type Eligibility } from './draw.js';
import type { Arm, ExperimentRepository, ExperimentRow } from './repository.js';
import type { CaseExperiment } from './case-experiment.js';
import type { ExperimentPatch, ExperimentView, NewExperiment } from './schemas.js';

/**
 * Randomised encouragement for pilots: an admin pre-registers an experiment (eligibility, arms with shares and an
 * instruction for caseworkers, a window); intake draws each eligible inquiry's arm (draw.ts) in its own transaction
 * and records it in the history; caseworkers see the arm's instruction on the case; the effect statistics and the
 * research extract carry the arm.
 *
 * Pre-registration: once an experiment has started (its startsAt has passed, an inquiry was drawn into it, or it was
 * stopped) its definition cannot change; it can only be stopped, and a stop is final. startsAt must lie in the future
 * when the experiment is created or changed, so nothing is ever assigned under a definition that was later altered.
 *
 * At most one experiment per inquiry: of the experiments active at its arrival and eligible for it, the earliest
 * started (then the earliest created) draws it. Pilots that must not compete should have disjoint eligibility.
 */
export interface ExperimentServiceDeps {
  repository: ExperimentRepository;
  reference: Pick<ReferenceService, 'places' | 'topics'>;
  clock: Clock;
  /** Every admin change is recorded in the audit log, in the same transaction. */
  audit: Pick<AuditLog, 'record' | 'atomically'>;
}

/** What intake knows of a new inquiry when it draws. */
export interface IntakeCandidate {
  inquiryId: string;
  receivedAt: number;
  countyCode: string | null;
  topicId: string | null;
  employees: number | null;
  /** The normalised organisation number (or personnummer), to tell a first-time inquirer; never stored or logged here. */
  orgNumber: string | null;
}

export interface Assignment { experimentId: string; armId: string }

/** Shares are checked against 1 with this tolerance (0.333 + 0.333 + 0.334); the draw normalises by their sum. */
const SHARE_TOLERANCE = 0.001;
const iso = (ms: number) => new Date(ms).toISOString();

type State = ExperimentView['state'];

export function createExperimentService({ repository, reference, clock, audit }: ExperimentServiceDeps) {
  function stateOf(e: ExperimentRow, now: number): State {
    if (e.stoppedAt !== null) return 'stopped';
    if (now >= e.endsAt) return 'ended';
    if (now >= e.startsAt) return 'running';
    return 'scheduled';
  }

  function view(e: ExperimentRow, now = clock()): ExperimentView {
    const counts = new Map(repository.counts(e.id).map((c) => [c.armId, c.count]));
    return {
      id: e.id, name: e.name, description: e.description, eligibility: e.eligibility, arms: e.arms, seed: e.seed,
      startsAt: iso(e.startsAt), endsAt: iso(e.endsAt), stoppedAt: e.stoppedAt === null ? null : iso(e.stoppedAt),
      state: stateOf(e, now), createdAt: iso(e.createdAt), createdBy: e.createdBy, updatedAt: iso(e.updatedAt),
      assignments: e.arms.map((a) => ({ armId: a.id, count: counts.get(a.id) ?? 0 })),
    };
  }

  function require(id: string): ExperimentRow {
    const row = repository.get(id);
    if (!row) throw notFound(both(`No experiment "${id}".`, `Inget experiment "${id}".`));
    return row;
  }

  /** The checks across fields, on the whole definition (after a patch is merged): every invalid field by name. */
  function validated(d: { eligibility?: NewExperiment['eligibility']; arms: NewExperiment['arms']; startsAt: number; endsAt: number }, now: number):
    { eligibility: Eligibility; arms: Arm[] } {
    const invalid: InvalidParam[] = [];
    const seen = new Set<string>();
    d.arms.forEach((a, i) => {
      if (seen.has(a.id)) invalid.push({ name: `body.arms.${i}.id`, reason: both(`The arm id "${a.id}" is used twice`, `Armen "${a.id}" står två gånger`) });
      seen.add(a.id);
    });
    const sum = d.arms.reduce((s, a) => s + a.share, 0);
    if (Math.abs(sum - 1) > SHARE_TOLERANCE) {
      invalid.push({ name: 'body.arms', reason: both(`The shares sum to ${Number(sum.toFixed(4))}: they must sum to 1`, `Andelarna summerar till ${Number(sum.toFixed(4))}: de ska summera till 1`) });
    }
    if (d.startsAt <= now) {
      invalid.push({ name: 'body.startsAt', reason: both('Must be in the future: an experiment is registered before it starts', 'Måste ligga i framtiden: ett experiment registreras innan det börjar') });
    }
    if (d.endsAt <= d.startsAt) invalid.push({ name: 'body.endsAt', reason: both('Must be after startsAt', 'Måste vara efter startsAt') });

    const counties: string[] = [];
    (d.eligibility?.counties ?? []).forEach((c, i) => {
      const county = reference.places.resolveCountyInput(c);
      if (!county) invalid.push({ name: `body.eligibility.counties.${i}`, reason: both(`Unknown county "${c}"`, `Okänt län "${c}"`) });
      else if (!counties.includes(county.code)) counties.push(county.code);
    });
    const topicIds = new Set(reference.topics().map((t) => t.id));
    const topics: string[] = [];
    (d.eligibility?.topics ?? []).forEach((t, i) => {
      if (!topicIds.has(t)) invalid.push({ name: `body.eligibility.topics.${i}`, reason: both(`Unknown topic "${t}" (see /v1/topics)`, `Okänt ämne "${t}" (se /v1/topics)`) });
      else if (!topics.includes(t)) topics.push(t);
    });
    if (invalid.length > 0) throw badRequest(null, invalid);
    return {
      eligibility: { counties, topics, sizeBands: [...new Set(d.eligibility?.sizeBands ?? [])], firstTimeOnly: d.eligibility?.firstTimeOnly ?? false },
      arms: d.arms.map((a) => ({ id: a.id, label: a.label, share: a.share, instruction: { sv: a.instruction.sv, en: a.instruction.en } })),
    };
  }

  const auditData = (e: ExperimentRow) => ({
    name: e.name, startsAt: iso(e.startsAt), endsAt: iso(e.endsAt), eligibility: e.eligibility,
    arms: e.arms.map((a) => ({ id: a.id, share: a.share })),
  });

  const frozen = (e: ExperimentRow, now: number) => {
    const state = stateOf(e, now);
    const reason = state === 'stopped' ? both(`it was stopped at ${iso(e.stoppedAt!)}`, `det stoppades ${iso(e.stoppedAt!)}`)
      : both(`it started at ${iso(e.startsAt)}`, `det startade ${iso(e.startsAt)}`);
    return new ProblemError(409, 'experiment-started', 'The experiment has started',
      both(`Experiment "${e.id}" can no longer change: ${reason.en}. A pre-registered definition is fixed once the experiment starts; it can only be stopped (POST /v1/admin/experiments/${e.id}/stop). Register a new experiment for a new design.`,
        `Experimentet "${e.id}" kan inte längre ändras: ${reason.sv}. En förregistrerad definition ligger fast när experimentet har startat; det kan bara stoppas (POST /v1/admin/experiments/${e.id}/stop). Registrera ett nytt experiment för en ny design.`));
  };

  return {
    list: (): ExperimentView[] => { const now = clock(); return repository.list().map((e) => view(e, now)); },
    get: (id: string): ExperimentView => view(require(id)),

    create(input: NewExperiment, by: AuditActor): ExperimentView {
      const now = clock();
      const { eligibility, arms } = validated(input, now);
      const row: ExperimentRow = {
        id: input.id, name: input.name, description: input.description, eligibility, arms,
        seed: input.seed ?? randomBytes(32).toString('base64url'),
        startsAt: input.startsAt, endsAt: input.endsAt, stoppedAt: null, createdAt: now, createdBy: by.by, updatedAt: now,
      };
      const inserted = audit.atomically(() => {
        if (!repository.insert(row)) return false;
        audit.record(by, { action: 'experiment-created', target: row.id, data: { ...auditData(row), seedGiven: input.seed !== undefined } }, now);
        return true;
      });
      if (!inserted) throw conflict(both(`An experiment "${input.id}" already exists.`, `Ett experiment "${input.id}" finns redan.`));
      return view(require(input.id), now);
    },

    /** Changes the definition, only while the experiment is scheduled (before startsAt, never drawn, not stopped). */
    update(id: string, patch: ExperimentPatch, by: AuditActor): ExperimentView {
      const now = clock();
      const current = require(id);
      if (stateOf(current, now) !== 'scheduled' || repository.hasAssignments(id)) throw frozen(current, now);
      const merged = {
        name: patch.name ?? current.name, description: patch.description ?? current.description,
        eligibility: patch.eligibility ?? current.eligibility, arms: patch.arms ?? current.arms,
        startsAt: patch.startsAt ?? current.startsAt, endsAt: patch.endsAt ?? current.endsAt, seed: patch.seed ?? current.seed,
      };
      const { eligibility, arms } = validated(merged, now);
      const next: ExperimentRow = { ...current, ...merged, eligibility, arms, updatedAt: now };
      audit.atomically(() => {
        let updated: boolean;
        try {
          updated = repository.update(next);
        } catch (error) {
          // The database's guard (migration experiments_guards): an inquiry was drawn into it in the meantime.
          if (String((error as Error).message).includes('frozen')) throw frozen(current, now);
          throw error;
        }
        if (!updated) throw frozen(require(id), now);
        const changed = Object.keys(patch).filter((k) => patch[k as keyof ExperimentPatch] !== undefined);
        audit.record(by, { action: 'experiment-changed', target: id, data: { changed, ...auditData(next) } }, now);
      });
      return view(require(id), now);
    },

    /** Stops the experiment for good: no inquiry is drawn into it any more. Stopping again changes nothing. */
    stop(id: string, by: AuditActor): ExperimentView {
      const now = clock();
      const current = require(id);
      if (current.stoppedAt === null) {
        audit.atomically(() => {
          if (repository.stop(id, now)) {
            audit.record(by, { action: 'experiment-stopped', target: id, data: { state: stateOf(current, now), assignments: repository.counts(id) } }, now);
          }
        });
      }
      return view(require(id), now);
    },

    /**
     * Intake's draw, inside the inquiry's transaction: the first experiment active at the arrival that the inquiry
     * is eligible for draws it, and the assignment is stored. Returns it (for the `experiment-assigned` event) or null.
     */
    assign(c: IntakeCandidate, at: number): Assignment | null {
      const active = repository.activeAt(c.receivedAt).filter((e) => activeAt(e, c.receivedAt));
      if (active.length === 0) return null;
      let askedBefore: boolean | null | undefined;
      const candidate: Candidate = {
        inquiryId: c.inquiryId, receivedAt: c.receivedAt, countyCode: c.countyCode, topicId: c.topicId, sizeBand: sizeBandOf(c.employees),
        // Looked up only when an experiment asks for first-time inquirers, and once.
        get askedBefore() {
          if (askedBefore === undefined) askedBefore = c.orgNumber === null ? null : repository.askedBefore(c.orgNumber, c.inquiryId);
          return askedBefore;
        },
      };
      for (const e of active) {
        if (!eligible(e.eligibility, candidate)) continue;
        const arm = drawArm(e.seed, c.inquiryId, e.arms);
        repository.assign(c.inquiryId, e.id, arm.id, at);
        return { experimentId: e.id, armId: arm.id };
      }
      return null;
    },

    /** The experiment and arm of a case as caseworkers see it, with the instruction in the case's language; null when none. */
    ofCase(inquiryId: string, language: string): CaseExperiment | null {
      const a = repository.assignmentOf(inquiryId);
      if (!a) return null;
      const e = repository.get(a.experimentId);
      const arm = e?.arms.find((x) => x.id === a.armId);
      if (!e || !arm) return null;
      return { id: e.id, name: e.name, armId: arm.id, armLabel: arm.label, instruction: language === 'en' ? arm.instruction.en : arm.instruction.sv };
    },
  };
}

export type ExperimentService = ReturnType<typeof createExperimentService>;
