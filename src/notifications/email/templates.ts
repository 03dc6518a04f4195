import { deadlineInWords, instantInWords, type Language } from '../../deadlines/in-words.js';
import type { EmailKind, MailFacts } from '../outbox.js';

/**
 * The e-mails, in Swedish and English. Each is written once as blocks (paragraphs, lists, labelled
 * facts, links) and turned into a plain-text and an HTML part by the same code, so both say the same.
 * No images, no tracking pixels, no redirect links: every link points straight at its target. Times are
 * Stockholm local time as a person says them. Mail to offices (shared, forwarded mailboxes) says
 * reference, county, topics and times only, never who asked or what.
 */
export interface MailContext {
  actorName(id: string | null | undefined): string | null;
  actorWebsite(id: string): string | null;
  countyName(code: string | null): string | null;
  topicName(id: string, language: Language): string;
  /** The company's private status link (rebuilt from the inquiry id). */
  statusUrl(caseId: string): string;
  /** Where the office opens the case: CASE_LINK_TEMPLATE, else the API. */
  caseUrl(caseId: string, reference: string): string;
  /** What companies are told to use when nobody called: the export centre's public contact, if set. */
  exportCentreContact(countyCode: string | null): string | null;
}

type Segment = string | { text: string; href: string };
type Block =
  | { p: Segment[] }
  | { list: Segment[][] }
  | { facts: [string, string][] }
  | { small: string };

export interface RenderedMail { subject: string; text: string; html: string; headers?: Record<string, string> }

const t = <T>(language: Language, sv: T, en: T): T => (language === 'sv' ? sv : en);

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const segmentText = (s: Segment) => (typeof s === 'string' ? s : s.text === s.href ? s.href : `${s.text}: ${s.href}`);
const segmentHtml = (s: Segment) => (typeof s === 'string' ? escapeHtml(s) : `<a href="${escapeHtml(s.href)}">${escapeHtml(s.text)}</a>`);

function toText(blocks: Block[]): string {
  return `${blocks.map((b) => {
    if ('p' in b) return b.p.map(segmentText).join('');
    if ('list' in b) return b.list.map((item) => `- ${item.map(segmentText).join('')}`).join('\n');
    if ('facts' in b) return b.facts.map(([k, v]) => `${k}: ${v}`).join('\n');
    return `-- \n${b.small}`;
  }).join('\n\n')}\n`;
}

function toHtml(blocks: Block[], language: Language, subject: string): string {
  const body = blocks.map((b) => {
    if ('p' in b) return `<p>${b.p.map(segmentHtml).join('')}</p>`;
    if ('list' in b) return `<ul>${b.list.map((item) => `<li>${item.map(segmentHtml).join('')}</li>`).join('')}</ul>`;
    if ('facts' in b) return `<table role="presentation" cellpadding="4">${b.facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
    return `<hr><p style="color:#555;font-size:90%">${escapeHtml(b.small)}</p>`;
  }).join('\n');
  return `<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body style="font-family:sans-serif;line-height:1.5;max-width:40em">\n${body}\n</body></html>\n`;
}

const linkTo = (href: string): Segment => ({ text: href, href });

/** Renders one message from the facts stored with it. */
export function renderMail(kind: EmailKind, f: MailFacts, ctx: MailContext): RenderedMail {
  const lang = f.language;
  const now = { now: f.at };
  const deadline = deadlineInWords(f.deadlineAt, lang, now);
  const deadlineBare = instantInWords(f.deadlineAt, lang, now);
  const county = ctx.countyName(f.countyCode);
  const centre = county ? t(lang, `det regionala exportcentrumet i ${county}`, `the regional export centre of ${county}`) : t(lang, 'ditt regionala exportcentrum', 'your regional export centre');
  const Centre = centre.charAt(0).toUpperCase() + centre.slice(1);
  const actor = ctx.actorName(f.actorId);
  const previous = ctx.actorName(f.previousActorId);
  const topics = f.topics.map((id) => ctx.topicName(id, lang));
  const noReply = t(lang, 'Det här mejlet skickades automatiskt av En dörr in och går inte att svara på.', 'This message was sent automatically by En dörr in; replies are not read.');
  const caseFacts = (): [string, string][] => [
    [t(lang, 'Ärende', 'Case'), f.reference],
    [t(lang, 'Län', 'County'), county ?? t(lang, 'okänt', 'unknown')],
    [t(lang, 'Ämnen', 'Topics'), topics.length ? topics.join(', ') : t(lang, 'inte bestämt', 'not determined')],
    [t(lang, 'Inkom', 'Received'), instantInWords(f.receivedAt, lang, now)],
    [t(lang, 'Första kontakt senast', 'First contact due'), deadlineBare],
  ];
  const openCase: Block = { p: [t(lang, 'Öppna ärendet: ', 'Open the case: '), linkTo(ctx.caseUrl(f.caseId, f.reference))] };
  const officeFooter: Block = {
    small: t(lang,
      `${noReply} Företagets kontaktuppgifter och fråga finns i ärendet, inte i mejlet, eftersom mejlet kan läsas och vidarebefordras av flera.`,
      `${noReply} The company's contact details and question are in the case, not in this message, since mailboxes are shared and forwarded.`),
  };
  const statusLink: Block = { p: [t(lang, 'Följ ditt ärende här (länken är personlig, dela den inte): ', 'Follow your inquiry here (the link is personal, do not share it): '), linkTo(ctx.statusUrl(f.caseId))] };
  const ifNobodyCalls = (): Block => {
    const contact = ctx.exportCentreContact(f.countyCode);
    return {
      p: [t(lang,
        `Har ingen hört av sig ${deadline}? Kontakta ${centre}${contact ? `: ${contact}` : ''}, och uppge ärendenumret ${f.reference}.`,
        `If nobody has been in touch ${deadline}, contact ${centre}${contact ? `: ${contact}` : ''}, quoting the reference ${f.reference}.`)],
    };
  };

  let subject: string;
  let blocks: Block[];
  switch (kind) {
    case 'company-receipt': {
      subject = t(lang, `Vi har tagit emot din fråga (${f.reference})`, `We have received your inquiry (${f.reference})`);
      const who: Block = actor
        ? { p: [t(lang, `${actor} kontaktar dig ${deadline}.`, `${actor} will contact you ${deadline}.`)] }
        : { p: [t(lang,
          `${Centre} går igenom din fråga och ser till att rätt person kontaktar dig ${deadline}.`,
          `${Centre} will look at your question and make sure the right person contacts you ${deadline}.`)] };
      const alternatives = (f.alternatives ?? []).map((id) => ({ id, name: ctx.actorName(id) })).filter((a): a is { id: string; name: string } => a.name !== null);
      blocks = [
        { p: [t(lang, 'Hej!', 'Hello,')] },
        { p: [t(lang,
          `Tack för din fråga. Vi tog emot den ${instantInWords(f.receivedAt, lang, now)}. Ditt ärendenummer är ${f.reference}.`,
          `Thank you for your question. We received it on ${instantInWords(f.receivedAt, lang, now)}. Your reference is ${f.reference}.`)] },
        who,
        ...(alternatives.length ? [
          { p: [t(lang, 'Liknande hjälp erbjuds också av de här offentliga aktörerna, som du kan vända dig till direkt:', 'Similar help is also offered by these public organisations, which you can contact directly:')] },
          { list: alternatives.map((a) => { const site = ctx.actorWebsite(a.id); return site ? [`${a.name}, `, linkTo(site)] : [a.name]; }) },
        ] as Block[] : []),
        statusLink,
        ifNobodyCalls(),
        { small: noReply },
      ];
      break;
    }
    case 'company-referral': {
      subject = t(lang, `Din fråga har lämnats över till ${actor ?? 'en annan aktör'} (${f.reference})`, `Your inquiry has been passed on to ${actor ?? 'another organisation'} (${f.reference})`);
      const when = f.contacted || f.deadlineAt < f.at
        ? t(lang, 'så snart som möjligt', 'as soon as possible')
        : deadline;
      blocks = [
        { p: [t(lang, 'Hej!', 'Hello,')] },
        { p: [t(lang,
          `Din fråga (${f.reference}) har lämnats över${previous ? ` från ${previous}` : ''} till ${actor ?? 'en annan aktör'}, som kontaktar dig ${when}.`,
          `Your question (${f.reference}) has been passed on${previous ? ` from ${previous}` : ''} to ${actor ?? 'another organisation'}, who will contact you ${when}.`)] },
        statusLink,
        { p: [t(lang, `Har du frågor om överlämningen? Kontakta ${centre}${ctx.exportCentreContact(f.countyCode) ? `: ${ctx.exportCentreContact(f.countyCode)}` : '.'}`, `Questions about the hand-over? Contact ${centre}${ctx.exportCentreContact(f.countyCode) ? `: ${ctx.exportCentreContact(f.countyCode)}` : '.'}`)] },
        { small: noReply },
      ];
      break;
    }
    case 'company-follow-up': {
      subject = t(lang, `Fick du rätt hjälp? (${f.reference})`, `Did you get the right help? (${f.reference})`);
      blocks = [
        { p: [t(lang, 'Hej!', 'Hello,')] },
        { p: [t(lang,
          `Ditt ärende ${f.reference} avslutades ${instantInWords(f.closedAt ?? f.at, lang, now)}. Vi vill gärna veta hur det gick: kom du i kontakt med rätt organisation i tid, och fick du den hjälp du behövde?`,
          `Your inquiry ${f.reference} was closed on ${instantInWords(f.closedAt ?? f.at, lang, now)}. We would like to know how it went: did you reach the right organisation in time, and did you get the help you needed?`)] },
        { p: [t(lang, 'Svara på din ärendesida, det tar en halv minut: ', 'Answer on your inquiry page; it takes half a minute: '), linkTo(`${ctx.statusUrl(f.caseId)}#follow-up`)] },
        { p: [t(lang,
          'Svaren hjälper exportcentrumen att se om företag får rätt hjälp, inte bara om de får svar. Vi frågar bara en gång.',
          'Your answer helps the export centres see whether companies get the right help, not just an answer. We ask only once.')] },
        { small: noReply },
      ];
      break;
    }
    case 'company-follow-up-wave':
    case 'company-follow-up-wave-reminder': {
      // Effect questions over months (src/effects), only to companies that ticked the follow-up box.
      const wave = f.wave!;
      const reminder = kind === 'company-follow-up-wave-reminder';
      const answerUrl = `${ctx.statusUrl(f.caseId)}/follow-up`;
      const by = instantInWords(wave.answerBy, lang, now);
      subject = reminder
        ? t(lang, `Påminnelse: hur har det gått med exporten? (${f.reference})`, `Reminder: how is your exporting going? (${f.reference})`)
        : t(lang, `Hur har det gått med exporten? (${f.reference})`, `How is your exporting going? (${f.reference})`);
      blocks = [
        { p: [t(lang, 'Hej!', 'Hello,')] },
        { p: [t(lang,
          `För ${wave.months} månader sedan avslutades ditt ärende ${f.reference} hos exportcentrumet. Du sa ja till att få några korta frågor om vad som hänt sedan dess:`,
          `${wave.months} months ago your inquiry ${f.reference} with the export centre was closed. You agreed to a few short questions about what has happened since:`)] },
        { list: [
          [t(lang, 'Har ni börjat exportera, eller gått in på nya marknader (vilka länder)?', 'Have you started exporting, or entered new markets (which countries)?')],
          [t(lang, 'Ungefär hur stor del av omsättningen är export?', 'Roughly what share of turnover is exports?')],
          [t(lang, 'Bidrog hjälpen ni fick till det?', 'Did the help you got contribute to this?')],
        ] },
        { p: [t(lang, `Svara senast ${by}, det tar en minut (länken är personlig): `, `Please answer by ${by}; it takes a minute (the link is personal): `), linkTo(answerUrl)] },
        { p: [t(lang,
          'Svaren hjälper Tillväxtverket och regionerna att se vad exportcentrumen gör för företagen, inte bara hur många frågor de får. De redovisas bara som statistik där inget företag kan pekas ut.',
          'Your answers help Tillväxtverket and the regions see what the export centres do for companies, not just how many questions they get. They are only reported as statistics in which no company can be singled out.')] },
        { p: [t(lang, 'Vill du inte få fler frågor? Ett klick räcker: ', 'No more questions? One click: '), linkTo(`${answerUrl}/withdraw`)] },
        { small: noReply },
      ];
      break;
    }
    case 'office-new-case': {
      const triage = f.actorId === null;
      subject = triage
        ? t(lang, `Nytt ärende att fördela: ${f.reference}, ${deadline}`, `New case to route: ${f.reference}, ${deadline}`)
        : t(lang, `Nytt ärende ${f.reference}: första kontakt ${deadline}`, `New case ${f.reference}: first contact ${deadline}`);
      blocks = [
        { p: [triage
          ? t(lang,
            `Ett nytt ärende i ${county ?? 'okänt län'} kunde inte fördelas automatiskt${f.triageReason === 'out-of-scope' ? ' (frågan ligger utanför aktörernas uppdrag)' : f.triageReason === 'no-actor-in-county' ? ' (ingen aktör för ämnet finns i länet)' : ''} och väntar på exportcentrumet.`,
            `A new case in ${county ?? 'an unknown county'} could not be routed automatically${f.triageReason === 'out-of-scope' ? ' (the question is outside every actor\'s remit)' : f.triageReason === 'no-actor-in-county' ? ' (no actor for the topic in the county)' : ''} and waits for the export centre.`)
          : f.previousActorId !== undefined && f.previousActorId !== null
            ? t(lang, `Ett ärende har tilldelats ${actor} (tidigare hos ${previous ?? f.previousActorId}).`, `A case has been assigned to ${actor} (previously with ${previous ?? f.previousActorId}).`)
            : t(lang, `Ett nytt ärende har tilldelats ${actor} i ${county ?? 'okänt län'}.`, `A new case has been assigned to ${actor} in ${county ?? 'an unknown county'}.`)] },
        { facts: caseFacts() },
        { p: [t(lang, `Företaget ska få en första kontakt ${deadline}. Tiden räknas från när företaget frågade.`, `The company should be contacted ${deadline}. The time runs from when the company asked.`)] },
        openCase,
        officeFooter,
      ];
      break;
    }
    case 'office-referral': {
      subject = t(lang, `Ärende överlämnat till er: ${f.reference}`, `Case passed on to you: ${f.reference}`);
      blocks = [
        { p: [t(lang,
          `${previous ?? 'En annan aktör'} har lämnat över ärendet ${f.reference} till ${actor}.`,
          `${previous ?? 'Another actor'} has passed case ${f.reference} on to ${actor}.`)] },
        { facts: caseFacts() },
        { p: [f.contacted
          ? t(lang, 'Företaget har redan fått en första kontakt. Kontakta företaget om det som återstår.', 'The company has already been contacted once. Contact it about what remains.')
          : f.deadlineAt < f.at
            ? t(lang, `Tidsfristen passerade ${deadlineBare}: kontakta företaget så snart som möjligt.`, `The deadline passed on ${deadlineBare}: contact the company as soon as possible.`)
            : t(lang, `Tidsfristen gäller fortfarande: första kontakt ${deadline}.`, `The deadline still applies: first contact ${deadline}.`)] },
        openCase,
        officeFooter,
      ];
      break;
    }
    case 'office-at-risk': {
      subject = t(lang, `Snart försenat: ${f.reference}, första kontakt ${deadline}`, `At risk: ${f.reference}, first contact ${deadline}`);
      blocks = [
        { p: [t(lang,
          `Ärendet ${f.reference}${actor ? ` hos ${actor}` : ''} har ännu ingen registrerad första kontakt, och tidsfristen går snart ut: ${deadlineBare}.`,
          `Case ${f.reference}${actor ? ` at ${actor}` : ''} has no first contact recorded yet, and its deadline is close: ${deadlineBare}.`)] },
        { facts: caseFacts() },
        openCase,
        officeFooter,
      ];
      break;
    }
    case 'office-breached': {
      subject = t(lang, `Tidsfristen har passerat: ${f.reference}`, `Deadline passed: ${f.reference}`);
      blocks = [
        { p: [t(lang,
          `Ärendet ${f.reference}${actor ? ` hos ${actor}` : ''} fick ingen registrerad första kontakt före ${deadlineBare}. Företaget väntar fortfarande.`,
          `Case ${f.reference}${actor ? ` at ${actor}` : ''} had no first contact recorded by ${deadlineBare}. The company is still waiting.`)] },
        { facts: caseFacts() },
        { p: [t(lang,
          'Kontakta företaget nu, eller be exportcentrumet fördela om ärendet. Har kontakten redan skett: registrera den i ärendet.',
          'Contact the company now, or ask the export centre to reassign the case. If contact was made: record it in the case.')] },
        openCase,
        officeFooter,
      ];
      break;
    }
  }
  // The follow-up waves: withdrawal with one click from the mail client too (RFC 8058: the client POSTs List-Unsubscribe=One-Click).
  const headers = f.wave ? { 'List-Unsubscribe': `<${ctx.statusUrl(f.caseId)}/follow-up/withdraw>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : undefined;
  return { subject, text: toText(blocks), html: toHtml(blocks, lang, subject), ...(headers ? { headers } : {}) };
}
