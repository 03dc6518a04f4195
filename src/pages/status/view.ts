import { deadlineInWords, instantInWords } from '../../deadlines/in-words.js';
import type { IntakeService } from '../../intake/service.js';
import type { ReferenceService } from '../../reference/service.js';
import { html, type Html } from '../html.js';
import { actorLine, actorShortName, TEXTS, type Language } from '../i18n.js';
import { describedBy, errorMessage, errorSummary, type FieldError } from '../layout.js';

export type StatusView = ReturnType<IntakeService['statusFor']>;

/** What the company chose in the follow-up form, shown again beside an error. */
export interface FollowUpValues { rightActorInTime?: string | undefined; gotHelp?: string | undefined; comment?: string | undefined }

/** Only what the status JSON holds is shown: milestones and actors, never anything a caseworker wrote. */
export interface StatusPageInput {
  view: StatusView;
  language: Language;
  now: number;
  reference: ReferenceService;
  /** Where the follow-up form posts (the status link + /follow-up, with ?lang when chosen). */
  followUpAction: string;
  errors?: FieldError[];
  values?: FollowUpValues;
}

/** "Almi i Skåne", "Business Sweden i Västra Götaland", or the actor alone when the county is unknown. */
export function actorInCounty(view: Pick<StatusView, 'assignedActor' | 'county'>, reference: ReferenceService, language: Language): string | null {
  if (!view.assignedActor) return null;
  const county = view.county ? reference.places.county(view.county.code) : undefined;
  const name = actorShortName(view.assignedActor);
  return county ? `${name} ${TEXTS[language].countyOf(county.shortName)}` : name;
}

/** What is happening, in one or two sentences: "Almi i Skåne kontaktar er senast måndag 30 november kl. 15.00." */
export function whatHappens(view: StatusView, reference: ReferenceService, language: Language, now: number): { sentences: string[]; tone: 'open' | 'late' | 'done' } {
  const t = TEXTS[language];
  const at = (iso: string) => instantInWords(Date.parse(iso), language, { now });
  const deadline = deadlineInWords(Date.parse(view.deadlineAt), language, { now });
  const who = actorInCounty(view, reference, language);
  const county = view.county ? reference.places.county(view.county.code)?.shortName ?? null : null;
  const firstContact = view.history.find((e) => e.type === 'first-contact');
  const closed = [...view.history].reverse().find((e) => e.type === 'closed');
  if (view.status === 'closed') {
    return { sentences: [...(firstContact ? [t.contacted(at(firstContact.at))] : []), t.closed(at(closed?.at ?? view.receivedAt))], tone: 'done' };
  }
  if (firstContact) return { sentences: [t.contacted(at(firstContact.at)), ...(who ? [t.workingOn(capitalise(who))] : [])], tone: 'open' };
  if (now > Date.parse(view.deadlineAt)) {
    const late = who ?? (language === 'sv' ? `exportcentret${county ? ` i ${county}` : ''}` : `the export centre${county ? ` in ${county}` : ''}`);
    return { sentences: [t.late(late, deadline)], tone: 'late' };
  }
  if (view.status === 'triage' || !who) return { sentences: [t.triageWillContact(county, deadline)], tone: 'open' };
  return { sentences: [t.willContact(capitalise(who), deadline)], tone: 'open' };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function statusBody(input: StatusPageInput): Html {
  const { view, language, now, reference } = input;
  const t = TEXTS[language];
  const happening = whatHappens(view, reference, language, now);
  return html`
${errorSummary(language, input.errors ?? [])}
<h1>${t.statusTitle}</h1>
<p>${t.reference} <span class="reference">${view.reference}</span></p>
<section aria-labelledby="now-title" class="panel ${happening.tone === 'late' ? 'late' : happening.tone === 'done' ? 'done' : ''}">
<h2 id="now-title" class="visually-hidden">${t.whatHappens}</h2>
${happening.sentences.map((s, i) => html`<p class="${i === 0 ? 'lead' : ''}">${s}</p>`)}
</section>
${view.followUp?.offered ? followUp(input) : null}
${alternativesSection(view, reference, language)}
<h2>${t.milestonesTitle}</h2>
<ol class="milestones">${view.history.map((e) => html`<li>${t.milestones[e.type] ?? e.type}<time datetime="${e.at}">${instantInWords(Date.parse(e.at), language, { now })}</time></li>`)}</ol>
<p class="muted">${t.statusLinkPrivate}</p>`;
}

/** Everyone else offering a similar service, with links: the company must be told about all of them. */
export function alternativesSection(view: Pick<StatusView, 'alternatives'>, reference: ReferenceService, language: Language): Html | null {
  if (view.alternatives.length === 0) return null;
  const t = TEXTS[language];
  return html`<h2>${t.alternativesTitle}</h2>
<p>${t.alternativesIntro}</p>
<ul class="actors">${view.alternatives.map((a) => actorItem(a, reference, language))}</ul>`;
}

function actorItem(a: { id: string; name: string; kind: string }, reference: ReferenceService, language: Language): Html {
  const website = reference.actor(a.id)?.website ?? null;
  const line = actorLine(a, language);
  const name = a.name;
  return html`<li>${website
    ? html`<a href="${website}" rel="noopener noreferrer" aria-label="${TEXTS[language].website(name)}">${name}</a>`
    : html`<strong>${name}</strong>`}${line ? html`<br><span class="muted">${line}</span>` : null}</li>`;
}

/**
 * The follow-up once the case is closed: the two questions the audit keeps apart (contract 3 of the team's contracts)
 * and the optional comment, posted to the status link + /follow-up, which calls the same feedback service as the API.
 * The first radio of each question carries the question's id, so the error summary's link lands on it.
 */
function followUp(input: StatusPageInput): Html {
  const { view, language, now } = input;
  const t = TEXTS[language];
  const f = view.followUp!;
  if (f.answered) {
    return html`<section aria-labelledby="follow-up-title"><h2 id="follow-up-title">${t.followUpTitle}</h2>
<p class="notice">${t.alreadyAnswered(instantInWords(Date.parse(f.answeredAt!), language, { now }))}</p></section>`;
  }
  const errorFor = (field: string) => input.errors?.find((e) => e.field === field)?.message;
  const commentError = errorFor('comment');
  const question = (id: 'rightActorInTime' | 'gotHelp') => {
    const error = errorFor(id);
    const answers = f.questions.find((q) => q.id === id)?.answers ?? [];
    const chosen = input.values?.[id];
    return html`<div class="field ${error ? 'has-error' : ''}">
<fieldset${describedBy(id, false, Boolean(error))}>
<legend>${t.followUpQuestions[id]}</legend>
${errorMessage(language, id, error)}
<div class="choices">
${answers.map((a, i) => html`<div class="choice"><input type="radio" name="${id}" value="${a}" id="${i === 0 ? id : `${id}-${a}`}"${chosen === a ? html` checked` : null} required><label for="${i === 0 ? id : `${id}-${a}`}">${t.answers[a] ?? a}</label></div>`)}
</div>
</fieldset>
</div>`;
  };
  return html`<section aria-labelledby="follow-up-title">
<h2 id="follow-up-title">${t.followUpTitle}</h2>
<p>${t.followUpIntro}</p>
<form method="post" action="${input.followUpAction}" novalidate>
${question('rightActorInTime')}
${question('gotHelp')}
<div class="field ${commentError ? 'has-error' : ''}">
<label for="comment">${t.commentLabel} <span class="muted">${t.optional}</span></label>
<span class="hint" id="comment-hint">${t.commentHint}</span>
${errorMessage(language, 'comment', commentError)}
<textarea id="comment" name="comment" rows="4" maxlength="2000"${describedBy('comment', true, Boolean(commentError))}${commentError ? html` aria-invalid="true"` : null}>${input.values?.comment ?? ''}</textarea>
</div>
<button type="submit" class="button">${t.send}</button>
</form>
</section>`;
}

export function thanksBody(language: Language, backHref: string): Html {
  const t = TEXTS[language];
  return html`<h1>${t.thanksTitle}</h1><div class="panel done"><p>${t.thanksText}</p></div><p><a href="${backHref}">${t.backToStatus}</a></p>`;
}
