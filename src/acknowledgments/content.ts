/**
 * The acknowledgment of receipt (accusé de réception, CRPA L112-11 and R112-11-1) as one
 * structured content, built by pure functions from the facts of a case, then rendered as e-mail
 * text, accessible HTML, a short SMS, and (in pdf.ts) a PDF document or a printable letter. Every
 * rendering reads the same content, so the mentions the law requires cannot differ between them.
 */
import type { AddressValue } from '../procedures/form/definition.js';
import type { Procedure } from '../procedures/repository.js';
import { durationInWords } from '../deadlines/duration-words.js';

/** Everything the acknowledgment states, gathered by the service from the case and its procedure. */
export interface AcknowledgmentFacts {
  reference: string;
  trackingCode: string;
  /** `${publicUrl}/suivi/<code>`. */
  trackingUrl: string;
  /** Legal time of receipt (ISO-8601). */
  receivedAt: string;
  /** When the acknowledgment was issued: the date of the letter. */
  issuedAt: string;
  /** The town's time zone: every date is written in it. */
  timezone: string;
  procedureTitle: string;
  target: Procedure['target'];
  dueAt: string | null;
  silence: Procedure['silence'];
  implicitDecisionAt: string | null;
  department: { name: string; email: string | null; phone: string | null; address: string | null };
  organisation: { name: string; address: string | null };
  citizen: { civility: 'M' | 'Mme' | null; fullName: string; address: AddressValue | null } | null;
}

/** A part of the acknowledgment under its own heading: label/value facts, paragraphs, a list. */
export interface AcknowledgmentSection {
  heading: string;
  facts: [label: string, value: string][];
  paragraphs: string[];
  list: string[];
  /** Paragraphs after the list. */
  after: string[];
}

/** The one content every rendering reads. */
export interface AcknowledgmentContent {
  reference: string;
  townName: string;
  title: string;
  /** Subject of the e-mail. */
  subject: string;
  greeting: string;
  lead: string;
  sections: AcknowledgmentSection[];
  /** Legal mentions closing the document. */
  mentions: string[];
  signature: string[];
  letter: {
    sender: string[];
    recipient: string[];
    placeAndDate: string;
    object: string;
    salutation: string;
    closing: string;
  };
}

export const CRPA = 'code des relations entre le public et l’administration';

/** Builds the acknowledgment: pure, so every mention can be tested without a database. */
export function acknowledgmentContent(facts: AcknowledgmentFacts): AcknowledgmentContent {
  const received = frenchDateTime(facts.receivedAt, facts.timezone);
  const d = facts.department;
  const sections: AcknowledgmentSection[] = [
    section('Votre demande', {
      facts: [
        ['Référence du dossier', facts.reference],
        ['Démarche', facts.procedureTitle],
        ['Date et heure de réception', dateAndTime(facts.receivedAt, facts.timezone)],
        ['Code de suivi', facts.trackingCode],
      ],
    }),
    section('Service chargé de votre demande', {
      facts: [
        ['Service', d.name],
        ['Adresse postale', d.address ?? facts.organisation.address ?? facts.organisation.name],
        ...(d.email ? [['Adresse électronique', d.email] as [string, string]] : []),
        ...(d.phone ? [['Téléphone', frenchPhone(d.phone)] as [string, string]] : []),
      ],
    }),
    section('Délai de traitement', {
      paragraphs: [
        `Le délai de traitement prévu pour cette démarche est de ${durationInWords(facts.target.value, facts.target.unit)}` +
          (facts.dueAt ? ` : une réponse vous sera apportée au plus tard le ${frenchDate(facts.dueAt, facts.timezone)}.` : '.'),
      ],
    }),
    ...silenceSections(facts),
    section('Suivre votre demande', {
      paragraphs: [`Vous pouvez suivre l’avancement de votre demande à tout moment avec le code de suivi ${facts.trackingCode}, à l’adresse : ${facts.trackingUrl}`],
    }),
  ];
  const civility = civilityOf(facts.citizen);
  return {
    reference: facts.reference,
    townName: facts.organisation.name,
    title: 'Accusé de réception de votre demande',
    subject: `Accusé de réception – demande n° ${facts.reference}`,
    greeting: facts.citizen?.fullName ? `Bonjour ${facts.citizen.fullName},` : 'Madame, Monsieur,',
    lead:
      `Nous avons bien reçu votre demande « ${facts.procedureTitle} » ${received}. ` +
      `Elle est enregistrée sous la référence ${facts.reference} : rappelez-la dans tous vos échanges avec nos services.`,
    sections,
    mentions: [
      `Accusé de réception délivré en application des articles L112-11 et R112-11-1 du ${CRPA}.`,
      'Conservez-le : il atteste la date de réception de votre demande.',
    ],
    signature: [serviceOf(d.name, 'Le'), facts.organisation.name],
    letter: {
      sender: [facts.organisation.name, serviceOf(d.name, ''), ...lines(d.address ?? facts.organisation.address), ...(d.phone ? [`Tél. ${frenchPhone(d.phone)}`] : []), ...(d.email ? [d.email] : [])],
      recipient: facts.citizen ? [[civility === 'Madame, Monsieur' ? null : civility, facts.citizen.fullName].filter(Boolean).join(' '), ...postalLines(facts.citizen.address)].filter(Boolean) : [],
      placeAndDate: `${placeOf(d.address ?? facts.organisation.address) ?? facts.organisation.name}, le ${frenchDate(facts.issuedAt, facts.timezone)}`,
      object: `Objet : accusé de réception de votre demande n° ${facts.reference}`,
      salutation: `${civility},`,
      closing: `Nous vous prions d’agréer, ${civility}, l’expression de nos salutations distinguées.`,
    },
  };
}

/**
 * What the legal silence means for this request (CRPA L231-1, L231-4, L232-3, R112-11-1): the
 * date the request will be deemed accepted or rejected, under the reserve of a complete file, and
 * the attestation (acceptance) or the means and delays of appeal (rejection). Nothing for a
 * procedure outside the silence regimes.
 */
function silenceSections(facts: AcknowledgmentFacts): AcknowledgmentSection[] {
  const { regime, delay } = facts.silence;
  if (regime === 'none' || !delay) return [];
  const accept = regime === 'accept';
  const outcome = accept ? 'acceptée' : 'rejetée';
  const when = facts.implicitDecisionAt
    ? `elle sera réputée ${outcome} le ${frenchDate(facts.implicitDecisionAt, facts.timezone)}`
    : `elle sera réputée ${outcome} à l’expiration de ce délai`;
  const birth =
    `Votre demande est susceptible de donner lieu à une décision implicite ${accept ? 'd’acceptation' : 'de rejet'}. ` +
    `Si vous n’avez pas reçu de réponse dans un délai de ${durationInWords(delay.value, delay.unit)} à compter de sa réception, ${when}, sous réserve que la demande soit complète.`;
  const incomplete =
    'Si votre demande est incomplète, le service vous indiquera les pièces et informations manquantes et le délai pour les fournir : ' +
    'le délai ci-dessus ne court qu’à compter de leur réception.';
  if (accept) {
    return [
      section('Décision implicite d’acceptation', {
        paragraphs: [
          birth,
          `Vous pourrez alors obtenir, sur simple demande auprès du service, une attestation d’acceptation implicite (article L232-3 du ${CRPA}).`,
          incomplete,
        ],
      }),
    ];
  }
  return [
    section('Décision implicite de rejet et voies de recours', {
      paragraphs: [
        birth,
        incomplete,
        'Voies et délais de recours : si vous contestez cette décision implicite de rejet, vous pouvez, dans un délai de deux mois à compter de la date à laquelle elle est née, former :',
      ],
      list: [
        `un recours gracieux auprès de l’autorité qui l’a prise (${facts.organisation.name}) ;`,
        'un recours contentieux devant le tribunal administratif territorialement compétent, dans un délai de deux mois.',
      ],
      after: [
        'Le tribunal administratif peut être saisi par l’application « Télérecours citoyens », accessible sur le site www.telerecours.fr.',
        'Un recours gracieux formé dans le délai de deux mois prolonge le délai du recours contentieux, qui court à nouveau à compter de la réponse de l’administration (son silence pendant deux mois valant rejet).',
      ],
    }),
  ];
}

function section(heading: string, parts: Partial<Omit<AcknowledgmentSection, 'heading'>>): AcknowledgmentSection {
  return { heading, facts: parts.facts ?? [], paragraphs: parts.paragraphs ?? [], list: parts.list ?? [], after: parts.after ?? [] };
}

/** The e-mail body: plain text whose blank lines separate paragraphs (what `accessibleHtml` expects). */
export function acknowledgmentText(content: AcknowledgmentContent): string {
  const blocks: string[] = [content.greeting, content.lead];
  for (const s of content.sections) {
    // Headings stay in normal case: capitals are harder to read and some screen readers spell them.
    blocks.push([`— ${s.heading} —`, ...s.facts.map(([label, value]) => `${label} : ${value}`)].join('\n'));
    blocks.push(...s.paragraphs);
    if (s.list.length > 0) blocks.push(s.list.map((item) => `– ${item}`).join('\n'));
    blocks.push(...s.after);
  }
  blocks.push(content.signature.join('\n'), content.mentions.join('\n'));
  return blocks.join('\n\n') + '\n';
}

/** The same content as an accessible HTML document: language, title, headings in order, lists. */
export function acknowledgmentHtml(content: AcknowledgmentContent): string {
  const e = escapeHtml;
  const parts: string[] = [`<h1>${e(content.title)}</h1>`, `<p>${e(content.greeting)}</p>`, `<p>${e(content.lead)}</p>`];
  for (const s of content.sections) {
    parts.push(`<h2>${e(s.heading)}</h2>`);
    if (s.facts.length > 0) parts.push(`<dl>\n${s.facts.map(([label, value]) => `<dt>${e(label)}</dt><dd>${linkify(e(value))}</dd>`).join('\n')}\n</dl>`);
    parts.push(...s.paragraphs.map((p) => `<p>${linkify(e(p))}</p>`));
    if (s.list.length > 0) parts.push(`<ul>\n${s.list.map((item) => `<li>${e(item)}</li>`).join('\n')}\n</ul>`);
    parts.push(...s.after.map((p) => `<p>${e(p)}</p>`));
  }
  parts.push(`<p>${content.signature.map(e).join('<br>')}</p>`, `<p><small>${content.mentions.map(e).join('<br>')}</small></p>`);
  return (
    `<!doctype html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>${e(content.subject)}</title></head>\n` +
    `<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1e1e1e;">\n${parts.join('\n')}\n</body>\n</html>\n`
  );
}

/** The short acknowledgment by SMS (sent as subject, new line, text): reference, date of receipt, tracking link. */
export function acknowledgmentSms(facts: AcknowledgmentFacts): { subject: string; text: string } {
  return {
    subject: 'Accusé de réception',
    text: `${facts.organisation.name} : demande ${facts.reference} reçue ${frenchDateTime(facts.receivedAt, facts.timezone)}. Suivi : ${facts.trackingUrl}`,
  };
}

// --- French wording ---------------------------------------------------------------------------


const formats = new Map<string, Intl.DateTimeFormat>();

function partsOf(iso: string, timezone: string): Record<string, string> {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timezone });
    formats.set(timezone, format);
  }
  return Object.fromEntries(format.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
}

/** « 3 mars 2026 », « 1er mai 2026 », in the town's time zone. */
export function frenchDate(iso: string, timezone: string): string {
  const p = partsOf(iso, timezone);
  return `${p.day === '1' ? '1er' : p.day} ${p.month} ${p.year}`;
}

/** « 3 mars 2026 à 14 h 05 », in the town's time zone. */
export function dateAndTime(iso: string, timezone: string): string {
  const p = partsOf(iso, timezone);
  return `${p.day === '1' ? '1er' : p.day} ${p.month} ${p.year} à ${Number(p.hour)} h ${p.minute}`;
}

/** « le 3 mars 2026 à 14 h 05 ». */
export function frenchDateTime(iso: string, timezone: string): string {
  return `le ${dateAndTime(iso, timezone)}`;
}

/** « +33147000000 » → « 01 47 00 00 00 »; other numbers as given. */
export function frenchPhone(phone: string): string {
  const national = /^\+33(\d{9})$/.exec(phone);
  return national ? `0${national[1]}`.replace(/(\d{2})(?=\d)/g, '$1 ') : phone;
}

function civilityOf(citizen: AcknowledgmentFacts['citizen']): string {
  if (citizen?.civility === 'Mme') return 'Madame';
  if (citizen?.civility === 'M') return 'Monsieur';
  return 'Madame, Monsieur';
}

/** « Le service Voirie », and « Le service de l’état civil » for a department already named « Service de l’état civil ». */
function serviceOf(name: string, article: 'Le' | ''): string {
  const named = /^service\b/i.test(name) ? `service${name.slice('service'.length)}` : `service ${name}`;
  return article ? `${article} ${named}` : capitalise(named);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An address written on one line with commas, as separate lines. */
function lines(address: string | null): string[] {
  return address ? address.split(/\s*,\s*|\n/).filter(Boolean) : [];
}

function postalLines(address: AddressValue | null): string[] {
  if (!address) return [];
  const country = address.country && !/^(FR|France)$/i.test(address.country) ? [address.country.toUpperCase()] : [];
  return [address.line1, ...(address.line2 ? [address.line2] : []), `${address.postcode} ${address.city.toUpperCase()}`, ...country];
}

/** The town of a postal address: what follows its postcode (« 1 place de la Mairie, 37000 Tours » → « Tours »). */
function placeOf(address: string | null): string | null {
  const match = address ? /\b\d{5}\s+([^,\n]+)\s*$/.exec(address.trim()) : null;
  return match ? match[1]!.trim() : null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Makes the (already escaped) http(s) links of a text clickable. */
function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[^\s<]+[^\s<.,;:)]/g, (url) => `<a href="${url}">${url}</a>`);
}
