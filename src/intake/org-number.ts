import OrganisationsnummerModule from 'organisationsnummer';

// The package ships CommonJS with an ES-style default in its types; at run time the default import is the class.
type OrganisationsnummerClass = (typeof import('organisationsnummer'))['default'];
const Organisationsnummer = ((OrganisationsnummerModule as unknown as { default?: OrganisationsnummerClass }).default ??
  OrganisationsnummerModule) as OrganisationsnummerClass;

/**
 * Swedish organisation numbers, via the maintained `organisationsnummer` package (format, Luhn
 * check, 10 or 12 digits, with or without hyphen). A sole trader's number is the owner's
 * personnummer: accepted, but personal data, so it is flagged and masked wherever it is shown.
 */
export interface OrgNumber {
  /** Ten digits, no hyphen: the form stored and compared. */
  normalized: string;
  /** NNNNNN-NNNN */
  formatted: string;
  isPersonnummer: boolean;
}

export function parseOrgNumber(input: string): OrgNumber | null {
  const trimmed = input.trim();
  if (!/^(\d{2})?\d{6}[-+]?\d{4}$/.test(trimmed)) return null;
  try {
    const parsed = Organisationsnummer.parse(trimmed);
    return { normalized: parsed.format(false), formatted: parsed.format(true), isPersonnummer: parsed.isPersonnummer() };
  } catch {
    return null;
  }
}

/** "121212-****": what anyone but the assigned caseworker sees of a sole trader's personnummer. */
export function maskPersonnummer(normalized: string): string {
  return `${normalized.slice(0, 6)}-****`;
}
