/**
 * Errors in the caller's language: Swedish for `Accept-Language: sv`, English otherwise. Swedish forms
 * show our problem details to people, and should not have to translate them.
 *
 * - A text that varies per call is written in both languages where it is made: `both('…', '…')`.
 * - A schema's own message (zod `message:`) is registered once with its Swedish beside it: `msg('…', '…')`
 *   returns the English (zod's messages are strings) and remembers the Swedish for the error handler.
 * - zod's built-in messages are said in Swedish from the issue's code and parameters (svIssueReason).
 * - Titles are translated per problem type (SV_TITLES), with a Swedish title per status as the fallback, so a
 *   problem type added later is never answered in English to a Swedish caller.
 */
export type Language = 'sv' | 'en';
export interface Bilingual { en: string; sv: string }
/** A text in English only (said as is in both languages), or in both. */
export type Text = string | Bilingual;

export const both = (en: string, sv: string): Bilingual => ({ en, sv });

export function say(text: Text, language: Language): string {
  return typeof text === 'string' ? text : text[language];
}

export function english(text: Text): string {
  return typeof text === 'string' ? text : text.en;
}

const schemaMessages = new Map<string, string>();

/** A schema's error message in English (returned, for zod) and Swedish (remembered for the error handler). */
export function msg(en: string, sv: string): string {
  schemaMessages.set(en, sv);
  return en;
}

/**
 * The language a request asks for: the highest-weighted of `sv` (any region) and `en` in Accept-Language;
 * English when it names neither, on a tie the one listed first.
 */
export function preferredLanguage(acceptLanguage: string | string[] | undefined): Language {
  if (typeof acceptLanguage !== 'string' || acceptLanguage === '') return 'en';
  let best: { language: Language; q: number } | null = null;
  for (const part of acceptLanguage.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const primary = tag.split('-')[0];
    const language: Language | null = primary === 'sv' ? 'sv' : primary === 'en' || primary === '*' ? 'en' : null;
    if (language && (!best || q > best.q)) best = { language, q };
  }
  return best?.language ?? 'en';
}

/** Swedish titles per problem type (the slug after https://en-dorr-in.se/problems/). */
export const SV_TITLES: Record<string, string> = {
  'validation-error': 'Din begäran är inte giltig',
  'malformed-json': 'Felaktig JSON',
  'malformed-request': 'Felaktig begäran',
  'uri-too-long': 'Adressen är för lång',
  'headers-too-large': 'Begärans huvuden är för stora',
  'request-timeout': 'Begäran tog för lång tid',
  'payload-too-large': 'Begärans innehåll är för stort',
  'unsupported-media-type': 'Innehållstypen stöds inte',
  'unauthorized': 'Inloggning krävs',
  'forbidden': 'Inte tillåtet',
  'not-found': 'Hittades inte',
  'method-not-allowed': 'Metoden är inte tillåten',
  'conflict': 'Krockar med nuvarande läge',
  'invalid-transition': 'Åtgärden passar inte ärendet',
  'contact-required': 'Registrera första kontakten först',
  'case-erased': 'Ärendets personuppgifter är raderade',
  'precondition-failed': 'Ärendet har ändrats',
  'idempotency-key-reused': 'Idempotensnyckeln användes för en annan förfrågan',
  'suspected-bot': 'Inte mottaget',
  'unknown-actor': 'Okänd aktör',
  'inactive-actor': 'Aktören är inaktiv',
  'actor-not-in-county': 'Aktören finns inte i länet',
  'same-actor': 'Hänvisning till samma aktör',
  'consent-withdrawn': 'Samtycket är återkallat',
  'wave-not-open': 'Uppföljningen är inte öppen än',
  'wave-closed': 'Uppföljningen är inte längre öppen',
  'research-extract-off': 'Forskningsuttaget är inte inställt',
  'rate-limited': 'För många förfrågningar',
  'internal-error': 'Internt fel',
  'not-ready': 'Inte redo',
  'client-error': 'Felaktig begäran',
};

const SV_BY_STATUS: Record<number, string> = {
  400: 'Felaktig begäran', 401: 'Inloggning krävs', 403: 'Inte tillåtet', 404: 'Hittades inte', 405: 'Metoden är inte tillåten',
  406: 'Kan inte svara i efterfrågat format', 409: 'Krockar med nuvarande läge', 412: 'Förhandsvillkoret uppfylls inte',
  413: 'Begärans innehåll är för stort', 415: 'Innehållstypen stöds inte', 422: 'Kan inte behandlas', 429: 'För många förfrågningar',
  431: 'Begärans huvuden är för stora', 500: 'Internt fel', 503: 'Tjänsten är inte tillgänglig',
};

/** The title in the caller's language. */
export function titleIn(language: Language, slug: string, status: number, title: Text): string {
  if (language === 'en' || typeof title !== 'string') return say(title, language);
  return SV_TITLES[slug] ?? SV_BY_STATUS[status] ?? (status >= 500 ? 'Internt fel' : 'Felaktig begäran');
}

/** A field's reason for zod's issue, in Swedish; the issue as fastify-type-provider-zod hands it over. */
export function svIssueReason(issue: { keyword: string; message?: string | undefined; params?: Record<string, unknown> }, part: string): string {
  const registered = issue.message ? schemaMessages.get(issue.message) : undefined;
  if (registered) return registered;
  const p = issue.params ?? {};
  // A custom issue made at validation time carries its Swedish itself: addIssue({ …, params: { sv } }).
  const own = (p.params as { sv?: unknown } | undefined)?.sv;
  if (typeof own === 'string') return own;
  const n = (key: string) => Number(p[key]);
  switch (issue.keyword) {
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message ?? '')) return part === 'querystring' ? 'Parametern saknas' : 'Saknas: fältet måste anges';
      return `Fel typ: ska vara ${SV_TYPES[String(p.expected)] ?? String(p.expected)}`;
    }
    case 'too_small': {
      const min = n('minimum');
      if (p.origin === 'string') return min <= 1 ? 'Får inte vara tomt' : `Minst ${min} tecken`;
      if (p.origin === 'array' || p.origin === 'set') return `Minst ${min} värden`;
      return p.inclusive === false ? `Måste vara större än ${min}` : `Måste vara minst ${min}`;
    }
    case 'too_big': {
      const max = n('maximum');
      if (p.origin === 'string') return `Högst ${max} tecken`;
      if (p.origin === 'array' || p.origin === 'set') return `Högst ${max} värden`;
      return p.inclusive === false ? `Måste vara mindre än ${max}` : `Får vara högst ${max}`;
    }
    case 'invalid_format':
      return SV_FORMATS[String(p.format)] ?? 'Har fel format';
    case 'invalid_value': {
      const values = Array.isArray(p.values) ? p.values.map(String) : [];
      return values.length === 1 ? `Måste vara ${values[0]}` : `Måste vara en av: ${values.join(', ')}`;
    }
    case 'not_multiple_of':
      return `Måste vara en multipel av ${String(p.divisor)}`;
    case 'unrecognized_keys':
      return part === 'querystring' ? 'Okänd parameter' : 'Okänt fält';
    default:
      return 'Ogiltigt värde';
  }
}

const SV_TYPES: Record<string, string> = {
  string: 'text', number: 'ett tal', int: 'ett heltal', boolean: 'true eller false', object: 'ett objekt', array: 'en lista',
};

const SV_FORMATS: Record<string, string> = {
  email: 'Inte en giltig e-postadress',
  url: 'Inte en giltig webbadress',
  uuid: 'Inte ett giltigt id (UUID)',
  datetime: 'Inte en tidpunkt enligt RFC 3339, t.ex. 2026-11-25T09:00:00+01:00',
  date: 'Inte ett datum, ÅÅÅÅ-MM-DD',
  regex: 'Har fel format',
};
