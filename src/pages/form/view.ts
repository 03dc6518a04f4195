import type { Municipality } from '../../reference/places.js';
import { html, type Html } from '../html.js';
import { TEXTS, type Language } from '../i18n.js';
import { describedBy, errorMessage, errorSummary, type FieldError } from '../layout.js';
import { fieldId, type FieldName, type FormValues } from './fields.js';

export interface FormPageInput {
  language: Language;
  /** The county the form is for (short name shown in the title), or null: then it asks for the municipality. */
  county: { code: string; shortName: string } | null;
  municipalities: Municipality[];
  /** County names by code, for grouping municipalities when the form asks for one in all of Sweden. */
  countyNames: Map<string, string>;
  action: string;
  values: FormValues;
  errors: FieldError[];
  /** A message about the whole form (refused as a bot, key reused), shown in the error summary. */
  formError?: string;
}

/**
 * The reference inquiry form. Every constraint the intake schema has is also an HTML attribute here
 * (required, maxlength, pattern, type, min/max), so the browser checks the same things without
 * JavaScript; form.js adds the organisation number's check digit and shows errors in the page's own way.
 */
export function formBody(input: FormPageInput): Html {
  const { language, values } = input;
  const t = TEXTS[language];
  const errorOf = (f: FieldName) => input.errors.find((e) => e.field === f)?.message;
  /** The messages form.js shows for a control: the same the server gives. */
  const errorData = (f: FieldName) => {
    const m = t.fieldErrors[f] ?? {};
    return html` data-error-required="${m.required ?? m.invalid ?? t.genericFieldError}" data-error-invalid="${m.invalid ?? m.required ?? t.genericFieldError}" data-error-too-long="${m.tooLong ?? t.genericFieldError}"`;
  };
  const summary = [...(input.formError ? [{ field: '', id: 'f-company-name', message: input.formError }] : []), ...input.errors];

  function textField(f: FieldName, label: string, attrs: Html, o: { hint?: string; optional?: boolean; type?: string; cls?: string } = {}): Html {
    const id = fieldId(f);
    const error = errorOf(f);
    return html`<div class="field ${error ? 'has-error' : ''}">
<label for="${id}">${label}${o.optional ? html` <span class="muted">${t.optional}</span>` : null}</label>
${o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : null}
${errorMessage(language, id, error)}
<input type="${o.type ?? 'text'}" id="${id}" name="${f}" value="${values[f] ?? ''}"${o.cls ? html` class="${o.cls}"` : null} ${attrs}${errorData(f)}${describedBy(id, Boolean(o.hint), Boolean(error))}${error ? html` aria-invalid="true"` : null}>
</div>`;
  }

  const messageError = errorOf('message');
  const municipalityError = errorOf('municipality');
  const consentError = errorOf('consent');
  const mId = fieldId('municipality');
  const municipalityRequired = input.county === null;
  const options = input.county
    ? input.municipalities.map((m) => option(m, values.municipality))
    : [...input.countyNames].map(([code, name]) => html`<optgroup label="${name}">${input.municipalities.filter((m) => m.countyCode === code).map((m) => option(m, values.municipality))}</optgroup>`);

  return html`
${errorSummary(language, summary)}
<h1>${t.formTitle(input.county?.shortName ?? null)}</h1>
<p class="lead">${t.formIntro}</p>
<form method="post" action="${input.action}" id="inquiry-form" data-preview-url="/v1/routing/preview" data-summary-title="${t.errorSummaryTitle}" data-error-prefix="${t.errorPrefix}">
<input type="hidden" name="idempotencyKey" value="${values.idempotencyKey ?? ''}">
${input.county ? html`<input type="hidden" name="county" value="${input.county.code}">` : null}
<fieldset>
<legend>${t.companyLegend}</legend>
${textField('company.name', t.companyName, html`required maxlength="200" autocomplete="organization"`)}
${textField('company.orgNumber', t.orgNumber, html`maxlength="20" pattern="\\s*(\\d{6}|\\d{8})-?\\d{4}\\s*" autocomplete="off" spellcheck="false" data-check="org-number"`, { hint: t.orgNumberHint, optional: true, cls: 'narrow' })}
${textField('company.employees', t.employees, html`min="0" max="1000000" step="1" inputmode="numeric"`, { optional: true, type: 'number', cls: 'narrow' })}
</fieldset>
<fieldset>
<legend>${t.contactLegend}</legend>
${textField('contact.name', t.contactName, html`required maxlength="200" autocomplete="name"`)}
${textField('contact.email', t.email, html`required maxlength="254" autocomplete="email" spellcheck="false"`, { type: 'email' })}
${textField('contact.phone', t.phone, html`maxlength="30" pattern="\\s*\\+?[0-9 \\(\\)\\-]{5,30}\\s*" autocomplete="tel"`, { optional: true, type: 'tel', cls: 'narrow' })}
</fieldset>
<fieldset>
<legend>${t.questionLegend}</legend>
<div class="field ${municipalityError ? 'has-error' : ''}">
<label for="${mId}">${t.municipality}${municipalityRequired ? null : html` <span class="muted">${t.optional}</span>`}</label>
<span class="hint" id="${mId}-hint">${t.municipalityHint}</span>
${errorMessage(language, mId, municipalityError)}
<select id="${mId}" name="municipality"${errorData('municipality')}${municipalityRequired ? html` required` : null}${describedBy(mId, true, Boolean(municipalityError))}${municipalityError ? html` aria-invalid="true"` : null}>
<option value="">${t.chooseMunicipality}</option>
${options}
</select>
</div>
${textField('subject', t.subject, html`maxlength="200"`, { optional: true })}
<div class="field ${messageError ? 'has-error' : ''}">
<label for="${fieldId('message')}">${t.message}</label>
<span class="hint" id="${fieldId('message')}-hint">${t.messageHint}</span>
${errorMessage(language, fieldId('message'), messageError)}
<textarea id="${fieldId('message')}" name="message" rows="8" required maxlength="5000"${errorData('message')}${describedBy(fieldId('message'), true, Boolean(messageError))}${messageError ? html` aria-invalid="true"` : null}>${values.message ?? ''}</textarea>
</div>
<div class="preview" id="routing-preview" role="status" aria-live="polite" hidden
 data-title="${t.previewTitle}" data-assigned="${t.previewAssigned}" data-alternatives="${t.previewAlternatives}"
 data-triage="${t.previewTriage}" data-county-in="${t.previewCountyIn}" data-and="${t.and}" data-lang="${language}">
<p></p>
</div>
</fieldset>
<fieldset>
<legend class="visually-hidden">${t.consent}</legend>
<p class="consent-text" id="consent-text">${t.consentText}</p>
<div class="field ${consentError ? 'has-error' : ''}">
${errorMessage(language, fieldId('consent'), consentError)}
<div class="choice">
<input type="checkbox" id="${fieldId('consent')}" name="consent" value="yes" required${errorData('consent')}${values.consent === 'yes' ? html` checked` : null} aria-describedby="consent-text${consentError ? ` ${fieldId('consent')}-error` : ''}"${consentError ? html` aria-invalid="true"` : null}>
<label for="${fieldId('consent')}">${t.consent}</label>
</div>
</div>
<p class="consent-text" id="follow-up-consent-text">${t.followUpConsentText}</p>
<div class="field">
<div class="choice">
<input type="checkbox" id="${fieldId('followUpConsent')}" name="followUpConsent" value="yes"${values.followUpConsent === 'yes' ? html` checked` : null} aria-describedby="follow-up-consent-text">
<label for="${fieldId('followUpConsent')}">${t.followUpConsent}</label>
</div>
</div>
</fieldset>
<div class="honeypot" aria-hidden="true">
<label for="${fieldId('website')}">${t.honeypot}</label>
<input type="text" id="${fieldId('website')}" name="website" value="" tabindex="-1" autocomplete="off">
</div>
<button type="submit" class="button" id="inquiry-form-submit">${t.submit}</button>
</form>`;
}

function option(m: Municipality, selected: string | undefined): Html {
  return html`<option value="${m.code}"${selected === m.code ? html` selected` : null}>${m.name}</option>`;
}
