import type { FastifyRequest } from 'fastify';
import type { Language } from '../deadlines/in-words.js';

export type { Language };
export const LANGUAGES: readonly Language[] = ['sv', 'en'];

/**
 * The language of a page: `?lang=sv|en` first (the language switch), then the caller's preference
 * (the inquiry's language on the status page, Accept-Language elsewhere), Swedish by default.
 */
export function languageOf(request: FastifyRequest, preferred?: Language | null): Language {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (asked === 'sv' || asked === 'en') return asked;
  if (preferred) return preferred;
  return fromAcceptLanguage(request.headers['accept-language']);
}

/** True when the page was asked for in a language explicitly (links and forms then keep `?lang=`). */
export function explicitLanguage(request: FastifyRequest): Language | null {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  return asked === 'sv' || asked === 'en' ? asked : null;
}

/** Swedish unless English is preferred over Swedish (by q-value) in Accept-Language. */
export function fromAcceptLanguage(header: string | undefined): Language {
  if (!header) return 'sv';
  let sv = -1;
  let en = -1;
  header.split(',').forEach((part, i) => {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    if (!(q > 0)) return;
    const score = q * 1000 - i;
    const primary = tag.split('-')[0];
    if (primary === 'sv') sv = Math.max(sv, score);
    else if (primary === 'en') en = Math.max(en, score);
  });
  return en > sv ? 'en' : 'sv';
}

/** Short names and a line about what each actor does, for people (the reference data's names are formal, its descriptions English). */
const ACTOR_TEXTS: Record<string, { short: string; sv: string; en: string }> = {
  almi: { short: 'Almi', sv: 'Lån och finansiering för små och medelstora företag, rådgivning om affärsutveckling.', en: 'Loans and growth finance for small and medium-sized companies, business development advice.' },
  'business-sweden': { short: 'Business Sweden', sv: 'Exportrådgivning, marknadsanalys och hjälp att hitta kunder och partner utomlands.', en: 'Export advice, market analysis and help finding customers and partners abroad.' },
  een: { short: 'Enterprise Europe Network', sv: 'EU-regler och produktkrav, partnersökning i Europa och EU-finansiering.', en: 'EU rules and product requirements, partner search in Europe and EU funding.' },
  ekn: { short: 'EKN', sv: 'Exportkreditgarantier: skydd mot att en utländsk köpare inte betalar.', en: 'Export credit guarantees: cover against a foreign buyer not paying.' },
  tillvaxtverket: { short: 'Tillväxtverket', sv: 'Affärsutvecklingscheckar för internationalisering och verksamt.se.', en: 'Business development checks for internationalisation, and verksamt.se.' },
  sek: { short: 'SEK', sv: 'Exportkrediter med lång löptid för större affärer.', en: 'Long-term export credits for larger deals.' },
};
const CHAMBER_TEXT = { sv: 'Ursprungsintyg, ATA-carnet och andra exportdokument.', en: 'Certificates of origin, ATA carnets and other export documents.' };

export function actorShortName(actor: { id: string; name: string }): string {
  return ACTOR_TEXTS[actor.id]?.short ?? actor.name;
}

export function actorLine(actor: { id: string; kind: string }, language: Language): string | null {
  const known = ACTOR_TEXTS[actor.id];
  if (known) return known[language];
  return actor.kind === 'chamber' ? CHAMBER_TEXT[language] : null;
}

const sv = {
  serviceName: 'En dörr in',
  serviceTagline: 'Regionala exportcentrum',
  skipToContent: 'Till innehållet',
  otherLanguage: 'In English',
  otherLanguageCode: 'en',
  errorPrefix: 'Fel: ',
  errorSummaryTitle: 'Något behöver rättas',
  footer: 'En dörr in hjälper företag att hitta rätt organisation för sina exportfrågor. Vi sparar bara det som behövs för att besvara frågan.',
  optional: '(frivilligt)',
  notFoundTitle: 'Sidan finns inte',
  notFoundText: 'Kontrollera adressen. Har du fått en länk till ditt ärende, kopiera hela länken från mejlet eller kvittot.',
  errorPages: {
    tooMany: { title: 'För många förfrågningar', text: 'Vänta en minut och försök igen.' },
    expiredForm: { title: 'Formuläret har gått ut', text: 'Gå tillbaka, ladda om sidan och försök igen. Webbläsaren behöver tillåta kakor för den här sidan.' },
    badRequest: { title: 'Något stämmer inte', text: 'Gå tillbaka och försök igen.' },
    failed: { title: 'Något gick fel', text: (id: string) => `Försök igen om en stund. Uppge kod ${id} om du kontaktar oss.` },
  },

  // Status page
  statusTitle: 'Ditt ärende',
  reference: 'Ärendenummer',
  whatHappens: 'Vad händer nu',
  countyOf: (county: string) => `i ${county}`,
  willContact: (who: string, when: string) => `${who} kontaktar er ${when}.`,
  triageWillContact: (county: string | null, when: string) =>
    `Exportcentret${county ? ` i ${county}` : ''} går igenom er fråga. Rätt organisation kontaktar er ${when}.`,
  late: (who: string, when: string) =>
    `Det har tagit längre tid än vi lovade: ${who} skulle ha kontaktat er ${when}. Ärendet är markerat som försenat och följs upp av exportcentret.`,
  contacted: (when: string) => `Ni fick första kontakt ${when}.`,
  workingOn: (who: string) => `${who} arbetar med er fråga.`,
  closed: (when: string) => `Ärendet avslutades ${when}.`,
  alternativesTitle: 'Andra som erbjuder liknande tjänster',
  alternativesIntro: 'Ni kan också vända er direkt till de här organisationerna:',
  website: (name: string) => `Webbplats för ${name}`,
  milestonesTitle: 'Det här har hänt',
  milestones: {
    received: 'Vi tog emot er fråga',
    routed: 'Frågan skickades till en organisation',
    'sent-to-triage': 'Exportcentret började gå igenom frågan',
    assigned: 'Frågan tilldelades en organisation',
    claimed: 'En handläggare tog ärendet',
    'first-contact': 'Första kontakt',
    referred: 'Frågan skickades vidare till en annan organisation',
    closed: 'Ärendet avslutades',
  } as Record<string, string>,
  followUpTitle: 'Två frågor om ert ärende',
  followUpIntro: 'Era svar hjälper exportcentren att bli bättre. Ni kan svara en gång.',
  followUpQuestions: {
    rightActorInTime: 'Kom ni i kontakt med rätt organisation inom en arbetsdag?',
    gotHelp: 'Fick ni den hjälp ni behövde?',
  },
  answers: { yes: 'Ja', partly: 'Delvis', no: 'Nej', unsure: 'Vet inte' } as Record<string, string>,
  commentLabel: 'Vill ni berätta mer?',
  commentHint: 'Skriv inte personnummer eller andra känsliga uppgifter.',
  send: 'Skicka',
  answerRequired: 'Välj ett svar',
  commentTooLong: 'Skriv högst 2 000 tecken',
  alreadyAnswered: (when: string) => `Tack! Ni svarade ${when}.`,
  thanksTitle: 'Tack för era svar',
  thanksText: 'Era svar är sparade. De används för att följa upp om företag får rätt hjälp i tid.',
  backToStatus: 'Tillbaka till ärendet',
  statusLinkPrivate: 'Länken till den här sidan är personlig. Dela den inte.',

  // Form
  formTitle: (county: string | null) => (county ? `Ställ en exportfråga – ${county}` : 'Ställ en exportfråga'),
  formIntro: 'Beskriv er fråga så ser vi till att rätt organisation kontaktar er inom en arbetsdag.',
  companyLegend: 'Företaget',
  companyName: 'Företagets namn',
  orgNumber: 'Organisationsnummer',
  orgNumberHint: 'Tio siffror, till exempel 556036-0793',
  employees: 'Antal anställda',
  contactLegend: 'Kontaktperson',
  contactName: 'Namn',
  email: 'E-postadress',
  phone: 'Telefonnummer',
  questionLegend: 'Er fråga',
  municipality: 'Kommun',
  municipalityHint: 'Där företaget finns. Vi använder den för att hitta ert regionala exportcentrum.',
  chooseMunicipality: 'Välj kommun',
  subject: 'Rubrik',
  message: 'Beskriv er fråga',
  messageHint: 'Till exempel vilket land ni vill sälja till, vad ni behöver hjälp med och hur bråttom det är.',
  consent: 'Jag godkänner att uppgifterna i formuläret behandlas för att besvara frågan.',
  consentText:
    'Uppgifterna skickas till den organisation som bäst kan svara er (Almi, Business Sweden, Enterprise Europe Network, EKN, Tillväxtverket eller en annan offentlig aktör i exportcentret). ' +
    'Vi sparar dem så länge ärendet pågår och raderar personuppgifterna senast ett år efter att ärendet avslutats. Ni kan när som helst be om att få dem raderade.',
  followUpConsent: 'Ja, ni får mejla mig några korta frågor om hur det gått med exporten, 6, 12 och 24 månader efter att ärendet avslutats.',
  followUpConsentText:
    'Frivilligt, och skilt från godkännandet ovan. Svaren används bara till statistik där inget företag kan pekas ut. Ni kan tacka nej med ett klick i varje mejl; ' +
    'till dess sparar vi er e-postadress tills den sista frågan har gått ut.',
  honeypot: 'Lämna detta fält tomt',
  submit: 'Skicka frågan',
  previewTitle: 'Vart frågan troligen går',
  previewAssigned: 'Din fråga går troligen till {actor}',
  previewAlternatives: '; även {actors} erbjuder liknande tjänster',
  previewTriage: 'Din fråga går till exportcentret{county}, som ser till att rätt organisation kontaktar dig',
  previewCountyIn: ' i {county}',
  and: 'och',
  unknownCounty: (input: string) => `Vi hittar inget län som heter ”${input}”.`,
  fieldErrors: {
    'company.name': { required: 'Skriv företagets namn', tooLong: 'Skriv högst 200 tecken' },
    'company.orgNumber': { invalid: 'Skriv ett giltigt organisationsnummer med tio siffror, till exempel 556036-0793' },
    'company.employees': { invalid: 'Skriv antalet anställda som en siffra, 0 eller mer' },
    'contact.name': { required: 'Skriv ditt namn', tooLong: 'Skriv högst 200 tecken' },
    'contact.email': { required: 'Skriv din e-postadress', invalid: 'Skriv en e-postadress i rätt format, till exempel namn@foretag.se' },
    'contact.phone': { invalid: 'Skriv telefonnumret med siffror, till exempel 070-123 45 67' },
    municipality: { required: 'Välj kommun', invalid: 'Välj en kommun i listan' },
    subject: { tooLong: 'Skriv högst 200 tecken' },
    message: { required: 'Beskriv er fråga', tooLong: 'Skriv högst 5 000 tecken' },
    consent: { required: 'Ni behöver godkänna att uppgifterna behandlas för att vi ska kunna svara' },
    website: { invalid: 'Lämna detta fält tomt' },
  } as Record<string, Record<string, string>>,
  genericFieldError: 'Kontrollera uppgiften',
  botRefused: 'Formuläret kunde inte skickas. Ladda om sidan och försök igen, eller ring ert regionala exportcentrum.',
  receiptTitle: 'Tack! Vi har tagit emot er fråga',
  receiptLinkTitle: 'Följ ert ärende',
  receiptLinkText: 'Spara den här länken. Där ser ni vad som händer med er fråga.',

  // Dashboard
  dashboardTitle: 'Uppföljning av En dörr in',
  signInTitle: 'Logga in på uppföljningen',
  signInIntro: 'Logga in med en API-nyckel för analys eller samordning. Nyckeln sparas inte i webbläsaren: du får en inloggning som gäller en begränsad tid.',
  apiKey: 'API-nyckel',
  apiKeyHint: 'Börjar med edi_',
  signIn: 'Logga in',
  signOut: 'Logga ut',
  signedOut: 'Du är utloggad.',
  sessionExpired: 'Din inloggning har gått ut. Logga in igen.',
  keyRequired: 'Skriv din API-nyckel',
  keyInvalid: 'Nyckeln är fel eller återkallad',
  keyWrongRole: 'Nyckeln ger inte tillgång till uppföljningen. Använd en nyckel för analys eller samordning.',
  signedInAs: (label: string, role: string) => `Inloggad som ${label} (${role})`,
  roles: { analyst: 'analys', coordinator: 'samordning', admin: 'administration' } as Record<string, string>,
  filterTitle: 'Välj urval',
  from: 'Från och med',
  to: 'Till och med',
  county: 'Län',
  actor: 'Aktör',
  allCounties: 'Alla län',
  allActors: 'Alla aktörer',
  show: 'Visa',
  dateFormatHint: 'ÅÅÅÅ-MM-DD',
  filterInvalid: 'Urvalet gick inte att visa. Kontrollera datumen.',
  keyFigures: 'Sammanfattning',
  received: 'Inkomna frågor',
  inTimeShare: 'Andel med kontakt i tid',
  target: 'Mål',
  median: 'Median',
  p90: '90:e percentilen',
  openBreached: 'Öppna ärenden efter tidsfristen',
  hoursValue: (h: string) => `${h} tim`,
  noData: 'Inga frågor i urvalet.',
  downloadCsv: (what: string) => `Ladda ned ${what} som CSV`,
  tableCaption: (what: string) => `${what}, i siffror`,
  charts: {
    county: { title: 'Andel som fick kontakt med rätt aktör i tid, per län', short: 'andel i tid per län', category: 'Län' },
    trend: { title: 'Utveckling per månad', short: 'utvecklingen per månad', category: 'Månad' },
    firstContact: { title: 'Tid till första kontakt', short: 'tid till första kontakt', category: 'Tid' },
    firstContactByCounty: { title: 'Tid till första kontakt per län', short: 'tid till första kontakt per län', category: 'Län' },
    open: { title: 'Öppna ärenden efter tidsfristens läge', short: 'öppna ärenden', category: 'Läge' },
    referrals: { title: 'Hänvisningar och rätt aktör direkt, per aktör som först fick frågan', short: 'hänvisningar per aktör', category: 'Aktör som först fick frågan' },
    triage: { title: 'Andel som gick till triage, per län', short: 'triage per län', category: 'Län' },
  },
  referralMatrix: {
    title: 'Hänvisningar mellan aktörer',
    short: 'hänvisningarna mellan aktörer',
    fromActor: 'Från aktör',
    toActor: 'Till aktör',
    toColumn: (name: string) => `Till ${name}`,
    total: 'Totalt',
    misrouted: 'Felriktade',
    additionalNeed: 'Ytterligare behov',
    unspecified: 'Okänt slag',
    misroutedShare: 'Andel felriktade',
    ofWhichMisrouted: (n: string) => `varav ${n} felriktade`,
    barText: (total: string, misrouted: string) => `${total} (${misrouted} felriktade)`,
    unknownActor: 'Okänd aktör',
    captionNote: 'Rader: aktören som hänvisade. Kolumner: aktören som tog emot.',
    kinds: 'Felriktad: aktören var fel aktör för frågan. Ytterligare behov: företaget fick hjälp och behövde också en annan aktör.',
    none: 'Inga hänvisningar mellan aktörer i urvalet.',
    description: (total: number, misrouted: number, share: string, pairs: number, outside: number) =>
      `${total} ${total === 1 ? 'hänvisning' : 'hänvisningar'} mellan aktörer i ${pairs} par (från → till), varav ${misrouted} felriktade (${share}). ` +
      `${outside} ${outside === 1 ? 'ärende' : 'ärenden'} hänvisades utanför samverkan.`,
  },
  columns: {
    received: 'Inkomna',
    inTime: 'Rätt aktör i tid',
    late: 'Rätt aktör sent',
    anyInTime: 'Första svar i tid (någon aktör)',
    overdue: 'Utan kontakt efter tidsfristen',
    rate: 'Andel rätt aktör i tid',
    target: 'Mål',
    median: 'Median (tim)',
    p90: '90:e percentilen (tim)',
    contacted: 'Antal med kontakt',
    share: 'Andel',
    count: 'Antal',
    referrals: 'Hänvisningar',
    rightFirstTime: 'Rätt aktör direkt',
    triaged: 'Till triage',
    triageShare: 'Andel till triage',
  },
  openStates: { 'on-track': 'I tid', 'at-risk': 'Risk för försening', breached: 'Tidsfristen passerad' } as Record<string, string>,
  breachedTitle: 'Försenade ärenden att agera på',
  breachedIntro: 'Öppna ärenden i dina län där tidsfristen har passerat utan kontakt, det mest försenade först.',
  breachedNone: 'Inga försenade ärenden just nu.',
  breachedColumns: { reference: 'Ärende', county: 'Län', actor: 'Aktör', deadline: 'Tidsfrist', status: 'Status' },
  unknownCounty2: 'Okänt län',
  caseStatuses: { triage: 'I triage', assigned: 'Tilldelad', claimed: 'Tagen av handläggare' } as Record<string, string>,
  dateInvalid: 'Skriv ett datum som ÅÅÅÅ-MM-DD',
  dateOrder: 'Från och med får inte vara efter till och med',
  triageQueue: 'Triage',
  below: 'under målet',
  atOrAbove: 'når målet',
  chartDescription: {
    county: (n: number, below: number, target: string) => `${n} län. ${below} av dem ligger under målet ${target}.`,
    trend: (n: number) => `${n} ${n === 1 ? 'månad' : 'månader'}. Staplarna visar andelen med kontakt i tid per månad; den streckade linjen är målet.`,
    firstContact: (median: string, p90: string) => `Fördelning av tiden från fråga till första kontakt. Median ${median}, 90:e percentilen ${p90}.`,
    open: (total: number) => `${total} öppna ärenden fördelade efter tidsfristens läge.`,
    referrals: (total: number) => `${total} hänvisningar, per aktör som först fick frågan.`,
    triage: (n: number) => `Andel av frågorna som gick till triage i ${n} län.`,
  },
  buckets: ['under 4 tim', '4–8 tim', '8–24 tim', '24–48 tim', '48–72 tim', 'över 72 tim'],
  notAvailable: 'saknas',
};

export type Texts = typeof sv;

const en: Texts = {
  serviceName: 'One door in',
  serviceTagline: 'Regional export centres',
  skipToContent: 'Skip to content',
  otherLanguage: 'På svenska',
  otherLanguageCode: 'sv',
  errorPrefix: 'Error: ',
  errorSummaryTitle: 'There is a problem',
  footer: 'One door in helps companies find the right organisation for their export questions. We keep only what is needed to answer the question.',
  optional: '(optional)',
  notFoundTitle: 'Page not found',
  notFoundText: 'Check the address. If you were sent a link to your case, copy the whole link from the e-mail or the receipt.',
  errorPages: {
    tooMany: { title: 'Too many requests', text: 'Wait a minute and try again.' },
    expiredForm: { title: 'The form has expired', text: 'Go back, reload the page and try again. Your browser needs to allow cookies for this page.' },
    badRequest: { title: 'Something is not right', text: 'Go back and try again.' },
    failed: { title: 'Something went wrong', text: (id: string) => `Please try again shortly. Quote ${id} if you contact us.` },
  },

  statusTitle: 'Your case',
  reference: 'Reference',
  whatHappens: 'What happens now',
  countyOf: (county: string) => `in ${county}`,
  willContact: (who: string, when: string) => `${who} will contact you ${when}.`,
  triageWillContact: (county: string | null, when: string) =>
    `The export centre${county ? ` in ${county}` : ''} is reviewing your question. The right organisation will contact you ${when}.`,
  late: (who: string, when: string) =>
    `This has taken longer than we promised: ${who} should have contacted you ${when}. The case is marked as late and the export centre is following it up.`,
  contacted: (when: string) => `You were first contacted on ${when}.`,
  workingOn: (who: string) => `${who} is working on your question.`,
  closed: (when: string) => `The case was closed on ${when}.`,
  alternativesTitle: 'Others offering similar services',
  alternativesIntro: 'You can also contact these organisations directly:',
  website: (name: string) => `Website of ${name}`,
  milestonesTitle: 'What has happened',
  milestones: {
    received: 'We received your question',
    routed: 'Your question was sent to an organisation',
    'sent-to-triage': 'The export centre started reviewing your question',
    assigned: 'Your question was assigned to an organisation',
    claimed: 'A caseworker took the case',
    'first-contact': 'First contact',
    referred: 'Your question was passed on to another organisation',
    closed: 'The case was closed',
  },
  followUpTitle: 'Two questions about your case',
  followUpIntro: 'Your answers help the export centres improve. You can answer once.',
  followUpQuestions: {
    rightActorInTime: 'Did you reach the right organisation within one working day?',
    gotHelp: 'Did you get the help you needed?',
  },
  answers: { yes: 'Yes', partly: 'Partly', no: 'No', unsure: 'Not sure' },
  commentLabel: 'Would you like to tell us more?',
  commentHint: 'Do not write personal identity numbers or other sensitive details.',
  send: 'Send',
  answerRequired: 'Choose an answer',
  commentTooLong: 'Write at most 2,000 characters',
  alreadyAnswered: (when: string) => `Thank you! You answered on ${when}.`,
  thanksTitle: 'Thank you for your answers',
  thanksText: 'Your answers have been saved. They are used to follow up whether companies get the right help in time.',
  backToStatus: 'Back to your case',
  statusLinkPrivate: 'The link to this page is personal. Do not share it.',

  formTitle: (county: string | null) => (county ? `Ask an export question – ${county}` : 'Ask an export question'),
  formIntro: 'Describe your question and we will make sure the right organisation contacts you within one working day.',
  companyLegend: 'The company',
  companyName: "Company's name",
  orgNumber: 'Organisation number',
  orgNumberHint: 'Ten digits, for example 556036-0793',
  employees: 'Number of employees',
  contactLegend: 'Contact person',
  contactName: 'Name',
  email: 'E-mail address',
  phone: 'Phone number',
  questionLegend: 'Your question',
  municipality: 'Municipality',
  municipalityHint: 'Where the company is. We use it to find your regional export centre.',
  chooseMunicipality: 'Choose a municipality',
  subject: 'Subject',
  message: 'Describe your question',
  messageHint: 'For example which country you want to sell to, what you need help with and how urgent it is.',
  consent: 'I agree that the details in this form are processed to answer the question.',
  consentText:
    'Your details are sent to the organisation best placed to answer you (Almi, Business Sweden, Enterprise Europe Network, EKN, Tillväxtverket or another public actor in the export centre). ' +
    'We keep them while the case is open and erase the personal data at the latest one year after the case is closed. You can ask for them to be erased at any time.',
  followUpConsent: 'Yes, you may e-mail me a few short questions about how our exporting went, 6, 12 and 24 months after the case is closed.',
  followUpConsentText:
    'Optional, and separate from the agreement above. The answers are only used for statistics in which no company can be singled out. You can opt out with one click in every message; ' +
    'until then we keep your e-mail address until the last question has gone out.',
  honeypot: 'Leave this field empty',
  submit: 'Send the question',
  previewTitle: 'Where your question will probably go',
  previewAssigned: 'Your question will probably go to {actor}',
  previewAlternatives: '; {actors} also offer similar services',
  previewTriage: 'Your question will go to the export centre{county}, which makes sure the right organisation contacts you',
  previewCountyIn: ' in {county}',
  and: 'and',
  unknownCounty: (input: string) => `We cannot find a county called “${input}”.`,
  fieldErrors: {
    'company.name': { required: "Enter the company's name", tooLong: 'Write at most 200 characters' },
    'company.orgNumber': { invalid: 'Enter a valid ten-digit organisation number, for example 556036-0793' },
    'company.employees': { invalid: 'Enter the number of employees as a whole number, 0 or more' },
    'contact.name': { required: 'Enter your name', tooLong: 'Write at most 200 characters' },
    'contact.email': { required: 'Enter your e-mail address', invalid: 'Enter an e-mail address in the correct format, like name@company.se' },
    'contact.phone': { invalid: 'Enter the phone number in digits, for example 070-123 45 67' },
    municipality: { required: 'Choose a municipality', invalid: 'Choose a municipality from the list' },
    subject: { tooLong: 'Write at most 200 characters' },
    message: { required: 'Describe your question', tooLong: 'Write at most 5,000 characters' },
    consent: { required: 'You need to agree to the processing of your details for us to answer' },
    website: { invalid: 'Leave this field empty' },
  },
  genericFieldError: 'Check this detail',
  botRefused: 'The form could not be sent. Reload the page and try again, or call your regional export centre.',
  receiptTitle: 'Thank you! We have received your question',
  receiptLinkTitle: 'Follow your case',
  receiptLinkText: 'Keep this link. It shows what happens with your question.',

  dashboardTitle: 'One door in: follow-up',
  signInTitle: 'Sign in to the follow-up',
  signInIntro: 'Sign in with an analyst or coordinator API key. The key is not stored in your browser: you get a sign-in that lasts a limited time.',
  apiKey: 'API key',
  apiKeyHint: 'Starts with edi_',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signedOut: 'You are signed out.',
  sessionExpired: 'Your sign-in has expired. Please sign in again.',
  keyRequired: 'Enter your API key',
  keyInvalid: 'The key is wrong or revoked',
  keyWrongRole: 'This key does not give access to the follow-up. Use an analyst or coordinator key.',
  signedInAs: (label: string, role: string) => `Signed in as ${label} (${role})`,
  roles: { analyst: 'analyst', coordinator: 'coordinator', admin: 'admin' },
  filterTitle: 'Choose a selection',
  from: 'From',
  to: 'To',
  county: 'County',
  actor: 'Actor',
  allCounties: 'All counties',
  allActors: 'All actors',
  show: 'Show',
  dateFormatHint: 'YYYY-MM-DD',
  filterInvalid: 'The selection could not be shown. Check the dates.',
  keyFigures: 'Summary',
  received: 'Inquiries received',
  inTimeShare: 'Share contacted in time',
  target: 'Target',
  median: 'Median',
  p90: '90th percentile',
  openBreached: 'Open cases past the deadline',
  hoursValue: (h: string) => `${h} h`,
  noData: 'No inquiries in this selection.',
  downloadCsv: (what: string) => `Download ${what} as CSV`,
  tableCaption: (what: string) => `${what}, in figures`,
  charts: {
    county: { title: 'Share reaching the right actor in time, per county', short: 'share in time per county', category: 'County' },
    trend: { title: 'Monthly trend', short: 'the monthly trend', category: 'Month' },
    firstContact: { title: 'Time to first contact', short: 'time to first contact', category: 'Time' },
    firstContactByCounty: { title: 'Time to first contact per county', short: 'time to first contact per county', category: 'County' },
    open: { title: 'Open cases by deadline state', short: 'open cases', category: 'State' },
    referrals: { title: 'Referrals and right actor first time, per actor first assigned', short: 'referrals per actor', category: 'Actor first assigned' },
    triage: { title: 'Share sent to triage, per county', short: 'triage per county', category: 'County' },
  },
  referralMatrix: {
    title: 'Referrals between actors',
    short: 'the referrals between actors',
    fromActor: 'From actor',
    toActor: 'To actor',
    toColumn: (name: string) => `To ${name}`,
    total: 'Total',
    misrouted: 'Misrouted',
    additionalNeed: 'Additional need',
    unspecified: 'Kind unknown',
    misroutedShare: 'Share misrouted',
    ofWhichMisrouted: (n: string) => `of which ${n} misrouted`,
    barText: (total: string, misrouted: string) => `${total} (${misrouted} misrouted)`,
    unknownActor: 'Unknown actor',
    captionNote: 'Rows: the actor that referred. Columns: the actor that received.',
    kinds: 'Misrouted: the actor was the wrong one for the question. Additional need: the company was helped and also needed another actor.',
    none: 'No referrals between actors in this selection.',
    description: (total: number, misrouted: number, share: string, pairs: number, outside: number) =>
      `${total} ${total === 1 ? 'referral' : 'referrals'} between actors in ${pairs} ${pairs === 1 ? 'pair' : 'pairs'} (from → to), of which ${misrouted} misrouted (${share}). ` +
      `${outside} ${outside === 1 ? 'case was' : 'cases were'} referred outside the partnership.`,
  },
  columns: {
    received: 'Received',
    inTime: 'Right actor in time',
    late: 'Right actor late',
    anyInTime: 'First response in time (any actor)',
    overdue: 'No contact past deadline',
    rate: 'Share right actor in time',
    target: 'Target',
    median: 'Median (h)',
    p90: '90th percentile (h)',
    contacted: 'Contacted',
    share: 'Share',
    count: 'Count',
    referrals: 'Referrals',
    rightFirstTime: 'Right actor first time',
    triaged: 'Sent to triage',
    triageShare: 'Share to triage',
  },
  openStates: { 'on-track': 'On track', 'at-risk': 'At risk', breached: 'Deadline passed' },
  breachedTitle: 'Late cases to act on',
  breachedIntro: 'Open cases in your counties whose deadline passed without contact, the latest first.',
  breachedNone: 'No late cases right now.',
  breachedColumns: { reference: 'Case', county: 'County', actor: 'Actor', deadline: 'Deadline', status: 'Status' },
  unknownCounty2: 'Unknown county',
  caseStatuses: { triage: 'In triage', assigned: 'Assigned', claimed: 'Claimed by a caseworker' },
  dateInvalid: 'Enter a date as YYYY-MM-DD',
  dateOrder: 'From must not be after To',
  triageQueue: 'Triage',
  below: 'below target',
  atOrAbove: 'meets target',
  chartDescription: {
    county: (n: number, below: number, target: string) => `${n} ${n === 1 ? 'county' : 'counties'}. ${below} of them are below the ${target} target.`,
    trend: (n: number) => `${n} ${n === 1 ? 'month' : 'months'}. The bars show the share contacted in time per month; the dashed line is the target.`,
    firstContact: (median: string, p90: string) => `Distribution of the time from question to first contact. Median ${median}, 90th percentile ${p90}.`,
    open: (total: number) => `${total} open cases by the state of their deadline.`,
    referrals: (total: number) => `${total} referrals, per actor first assigned.`,
    triage: (n: number) => `Share of inquiries sent to triage in ${n} ${n === 1 ? 'county' : 'counties'}.`,
  },
  buckets: ['under 4 h', '4–8 h', '8–24 h', '24–48 h', '48–72 h', 'over 72 h'],
  notAvailable: 'n/a',
};

export const TEXTS: Record<Language, Texts> = { sv, en };

/** Numbers as each language writes them: "83,5 %" / "83.5%", "1 234" / "1,234". */
export function formatPercent(share: number | null, language: Language, digits = 1): string {
  if (share === null) return TEXTS[language].notAvailable;
  const n = new Intl.NumberFormat(language === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(share * 100);
  return language === 'sv' ? `${n} %` : `${n}%`;
}

export function formatNumber(value: number | null, language: Language, digits = 1): string {
  if (value === null) return TEXTS[language].notAvailable;
  return new Intl.NumberFormat(language === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: digits }).format(value);
}
