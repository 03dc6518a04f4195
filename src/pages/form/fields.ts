import type { z } from 'zod';
import { inquiryRequestSchema } from '../../intake/schemas.js';
import type { InvalidParam } from '../../shared/problems.js';
import { TEXTS, type Language } from '../i18n.js';
import type { FieldError } from '../layout.js';

/**
 * The reference form's fields: the intake contract (src/intake/schemas.ts) field by field. The form posts
 * them under their contract names (`company.name`, `contact.email`, …); the server validates them with the
 * intake schema itself, so the browser's checks (the attributes in view.ts) and the server's cannot drift
 * apart unnoticed: tests submit with the browser's checks off and see the server's errors by each field.
 */
export const FIELDS = [
  'company.name', 'company.orgNumber', 'company.employees',
  'contact.name', 'contact.email', 'contact.phone',
  'municipality', 'subject', 'message', 'consent', 'followUpConsent', 'website',
] as const;
export type FieldName = (typeof FIELDS)[number];

export type FormValues = Partial<Record<FieldName | 'idempotencyKey', string>>;

/** The HTML id of a field's control. */
export const fieldId = (field: string) => `f-${field.replace('.', '-')}`;

const trimmed = (v: string | undefined) => (v === undefined ? '' : v.trim());

/** The intake body from the posted fields: empty optional fields are left out, as a JSON form would. */
export function intakeBodyOf(values: FormValues, context: { countyCode: string | null; language: Language }): Record<string, unknown> {
  const optional = (v: string | undefined) => (trimmed(v) === '' ? undefined : trimmed(v));
  const employees = optional(values['company.employees']);
  const body: Record<string, unknown> = {
    company: {
      name: values['company.name'] ?? '',
      ...(optional(values['company.orgNumber']) ? { orgNumber: optional(values['company.orgNumber']) } : {}),
      // Not a whole number: passed on as text, so the intake schema reports it like the API would.
      ...(employees !== undefined ? { employees: /^\d{1,7}$/.test(employees) ? Number(employees) : employees } : {}),
    },
    contact: {
      name: values['contact.name'] ?? '',
      email: trimmed(values['contact.email']),
      ...(optional(values['contact.phone']) ? { phone: optional(values['contact.phone']) } : {}),
    },
    ...(context.countyCode ? { county: context.countyCode } : {}),
    ...(optional(values.municipality) ? { municipality: optional(values.municipality) } : {}),
    ...(optional(values.subject) ? { subject: optional(values.subject) } : {}),
    message: values.message ?? '',
    language: context.language,
    consent: values.consent === 'yes',
    // The follow-up over months (src/effects): its own checkbox, unticked unless the company ticks it.
    ...(values.followUpConsent === 'yes' ? { followUpConsent: true } : {}),
    ...(values.website ? { website: values.website } : {}),
  };
  return body;
}

/** The intake schema's verdict as the API's problem+json would name it: `body.contact.email` and a reason. */
export function validate(body: Record<string, unknown>): { ok: true; data: z.infer<typeof inquiryRequestSchema> } | { ok: false; invalidParams: (InvalidParam & { code: string })[] } {
  const result = inquiryRequestSchema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    invalidParams: result.error.issues.map((issue) => ({
      name: ['body', ...issue.path.map(String)].join('.'),
      reason: issue.message,
      code: kindOf(issue, body),
    })),
  };
}

function kindOf(issue: z.core.$ZodIssue, body: Record<string, unknown>): string {
  if (issue.code === 'too_big') return 'tooLong';
  let value: unknown = body;
  for (const key of issue.path) value = (value as Record<string, unknown> | undefined)?.[key as string];
  if (value === undefined || value === '' || value === false || (typeof value === 'string' && value.trim() === '')) return 'required';
  return 'invalid';
}

/** Problem fields (`body.contact.email`) to the form's error messages, in the form's order. */
export function fieldErrors(invalid: { name: string; reason: unknown; code?: string }[], language: Language): FieldError[] {
  const t = TEXTS[language];
  const errors = new Map<string, FieldError>();
  for (const p of invalid) {
    const field = p.name.replace(/^body\./, '');
    const known = (FIELDS as readonly string[]).includes(field) ? field : field === 'county' ? 'municipality' : null;
    if (!known || errors.has(known)) continue;
    const messages = t.fieldErrors[known] ?? {};
    const message = messages[p.code ?? 'invalid'] ?? messages.invalid ?? messages.required ?? t.genericFieldError;
    errors.set(known, { field: known, id: fieldId(known), message });
  }
  return FIELDS.filter((f) => errors.has(f)).map((f) => errors.get(f)!);
}
