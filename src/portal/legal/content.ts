/**
 * What a town states on its legal pages, read from `organisations.legal` (JSON an administrator
 * fills in), with defaults that keep every page correct and honest when nothing was filled in:
 * the portal is declared "non conforme" until an audit says otherwise, the town itself is the
 * publisher, the DPO is reached through the town hall, and the processings are those Guichet
 * really performs.
 *
 * The JSON is read defensively: a key of the wrong type is ignored (its default applies) rather
 * than breaking the pages everyone must be able to read.
 */
import type { OrganisationLegal } from '../page.js';

export type AccessibilityStatus = 'non' | 'partiellement' | 'totalement';

/** A postal or electronic contact; every part optional. */
export interface LegalContact {
  name?: string;
  address?: string;
  email?: string;
  phone?: string;
  /** A contact form or web page. */
  url?: string;
}

/** One processing of personal data, as the personal-data page lists it (RGPD art. 13). */
export interface Processing {
  name: string;
  purpose: string;
  legalBasis: string;
  data: string;
  retention: string;
  recipients: string;
}

/** The full shape of `organisations.legal`. Every key is optional. */
export interface LegalSettings extends OrganisationLegal {
  accessibilityStatus?: AccessibilityStatus;
  accessibility?: {
    /** Date of the statement (YYYY-MM-DD). */
    statementDate?: string;
    /** Date of the audit (YYYY-MM-DD); without it, the statement says no audit was made yet. */
    auditDate?: string;
    auditor?: string;
    /** Share of the RGAA criteria met, in percent. */
    complianceRate?: number;
    tools?: string[];
    /** Test environment: browser and assistive-technology pairs. */
    environment?: string[];
    pagesAudited?: string[];
    nonCompliance?: string[];
    disproportionateBurden?: string[];
    outOfScope?: string[];
    /** Multi-year accessibility plan and this year's action plan (URL). */
    multiYearPlanUrl?: string;
    contact?: LegalContact;
  };
  publisher?: LegalContact & { siren?: string; director?: string };
  host?: LegalContact;
  dpo?: LegalContact;
  /** Replaces the default table of processings. */
  processings?: Processing[];
  /** Extra paragraphs at the end of the terms of use. */
  termsExtra?: string[];
}

/** The town's own contacts (organisations row), the defaults of the publisher and contacts. */
export interface TownContacts {
  name: string;
  address: string | null;
  email: string | null;
  phone: string | null;
  siren: string | null;
  website: string | null;
}

/** The legal content with every default applied: what the views render. */
export interface LegalContent {
  town: TownContacts;
  accessibility: {
    status: AccessibilityStatus;
    statementDate: string | null;
    auditDate: string | null;
    auditor: string | null;
    complianceRate: number | null;
    tools: string[];
    environment: string[];
    pagesAudited: string[];
    nonCompliance: string[];
    disproportionateBurden: string[];
    outOfScope: string[];
    multiYearPlanUrl: string | null;
    contact: LegalContact;
  };
  publisher: LegalContact & { siren?: string; director?: string };
  host: LegalContact | null;
  dpo: LegalContact;
  processings: Processing[];
  termsExtra: string[];
}

const STATUSES: readonly AccessibilityStatus[] = ['non', 'partiellement', 'totalement'];

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(str).filter((s): s is string => s !== undefined) : []);
const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const isoDate = (value: unknown): string | null => {
  const s = str(value);
  return s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) ? s : null;
};
/** Only http(s) links reach an href. */
const url = (value: unknown): string | undefined => {
  const s = str(value);
  return s && /^https?:\/\//i.test(s) ? s : undefined;
};

function contact(value: unknown): LegalContact {
  const v = record(value);
  const out: LegalContact = {};
  for (const key of ['name', 'address', 'email', 'phone'] as const) {
    const s = str(v[key]);
    if (s) out[key] = s;
  }
  const link = url(v['url']);
  if (link) out.url = link;
  return out;
}

const isEmpty = (c: LegalContact) => Object.keys(c).length === 0;

/** Guichet's processings, as the software performs them; a town may replace the whole table. */
export function defaultProcessings(townName: string): Processing[] {
  return [
    {
      name: 'Comptes usagers',
      purpose: 'Vous permettre de vous connecter, de retrouver vos demandes, vos brouillons et votre coffre de documents, et de préremplir vos formulaires.',
      legalBasis: 'Mission d’intérêt public (RGPD, article 6-1-e) : la saisine de l’administration par voie électronique (code des relations entre le public et l’administration, article L112-8).',
      data: 'Identité (civilité, prénoms, noms, date de naissance), adresse électronique, téléphone, adresse postale, membres du foyer, mot de passe sous forme chiffrée, identité FranceConnect le cas échéant.',
      retention: 'Jusqu’à la suppression du compte, que vous pouvez demander à tout moment depuis « Mon espace ». Les demandes déjà déposées restent conservées pour la durée indiquée ci-dessous.',
      recipients: `Les agents habilités de ${townName} ; l’hébergeur, en tant que sous-traitant, sans accès au contenu.`,
    },
    {
      name: 'Demandes et dossiers',
      purpose: 'Instruire les demandes que vous déposez, vous répondre, vous envoyer l’accusé de réception et vous informer de l’avancement.',
      legalBasis: 'Mission d’intérêt public (RGPD, article 6-1-e) ; obligation légale (article 6-1-c) pour les démarches que la loi impose (état civil, listes électorales, recensement citoyen…).',
      data: 'Les réponses au formulaire de la démarche, les pièces jointes, vos coordonnées, l’historique du dossier.',
      retention: 'La durée d’utilité administrative de chaque type de dossier, fixée par les règles des archives publiques (code du patrimoine, articles L212-1 et suivants) ; ensuite versement aux archives ou destruction.',
      recipients: `Les agents du service de ${townName} chargé de la démarche ; les administrations auxquelles la loi impose de transmettre certaines demandes.`,
    },
    {
      name: 'Messages',
      purpose: 'Échanger avec vous au sujet d’une demande, par le portail, par courriel ou par SMS selon vos préférences.',
      legalBasis: 'Mission d’intérêt public (RGPD, article 6-1-e).',
      data: 'Contenu des messages, adresse électronique ou numéro de téléphone, dates d’envoi et de lecture.',
      retention: 'Avec le dossier auquel ils se rattachent.',
      recipients: `Les agents habilités de ${townName} ; les prestataires d’envoi de courriels et de SMS, en tant que sous-traitants.`,
    },
    {
      name: 'Journal des accès',
      purpose: 'Assurer la sécurité du service : détecter les abus, retracer les connexions, vous montrer les appareils connectés à votre compte.',
      legalBasis: 'Obligation légale (RGPD, article 6-1-c) : conservation des données de connexion (code des postes et des communications électroniques, article L34-1) ; mission d’intérêt public (article 6-1-e) pour la sécurité du service.',
      data: 'Adresse IP, navigateur et appareil, date et heure, page demandée.',
      retention: 'Un an.',
      recipients: `Les administrateurs techniques de ${townName} et de son hébergeur ; les autorités judiciaires sur réquisition.`,
    },
    {
      name: 'Cookies de session',
      purpose: 'Vous garder connecté pendant votre visite et protéger les formulaires contre les envois frauduleux.',
      legalBasis: 'Cookies strictement nécessaires au service que vous demandez : ils sont exemptés de consentement (loi Informatique et Libertés, article 82).',
      data: 'Un identifiant de session aléatoire (« guichet_session ») et un identifiant de navigateur aléatoire (« guichet_visiteur »).',
      retention: 'La session prend fin à la déconnexion ou après deux heures d’inactivité ; l’identifiant de navigateur expire au plus tard après 400 jours.',
      recipients: 'Personne : ces cookies ne sont lus que par ce site.',
    },
  ];
}

function processings(value: unknown): Processing[] | null {
  if (!Array.isArray(value)) return null;
  const keys = ['name', 'purpose', 'legalBasis', 'data', 'retention', 'recipients'] as const;
  const rows = value.map(record).filter((r) => keys.every((k) => str(r[k])));
  return rows.length > 0 ? rows.map((r) => Object.fromEntries(keys.map((k) => [k, str(r[k])!])) as unknown as Processing) : null;
}

/** The legal content of a town: its `organisations.legal` JSON over sensible defaults. */
export function legalContent(town: TownContacts, raw: LegalSettings | Record<string, unknown>): LegalContent {
  const legal = record(raw);
  const a11y = record(legal['accessibility']);
  const rate = a11y['complianceRate'];
  const status = STATUSES.find((s) => s === legal['accessibilityStatus']) ?? 'non';
  const townContact: LegalContact = {
    name: town.name,
    ...(town.address ? { address: town.address } : {}),
    ...(town.email ? { email: town.email } : {}),
    ...(town.phone ? { phone: town.phone } : {}),
  };
  const publisherRaw = record(legal['publisher']);
  const publisher = { ...townContact, ...(town.siren ? { siren: town.siren } : {}), ...contact(publisherRaw) } as LegalContent['publisher'];
  const siren = str(publisherRaw['siren']);
  if (siren) publisher.siren = siren;
  const director = str(publisherRaw['director']);
  if (director) publisher.director = director;
  const host = contact(legal['host']);
  const dpo = contact(legal['dpo']);
  const a11yContact = contact(a11y['contact']);
  return {
    town,
    accessibility: {
      status,
      statementDate: isoDate(a11y['statementDate']),
      auditDate: isoDate(a11y['auditDate']),
      auditor: str(a11y['auditor']) ?? null,
      complianceRate: typeof rate === 'number' && rate >= 0 && rate <= 100 ? rate : null,
      tools: strings(a11y['tools']),
      environment: strings(a11y['environment']),
      pagesAudited: strings(a11y['pagesAudited']),
      nonCompliance: strings(a11y['nonCompliance']),
      disproportionateBurden: strings(a11y['disproportionateBurden']),
      outOfScope: strings(a11y['outOfScope']),
      multiYearPlanUrl: url(a11y['multiYearPlanUrl']) ?? null,
      contact: isEmpty(a11yContact) ? townContact : a11yContact,
    },
    publisher,
    host: isEmpty(host) ? null : host,
    dpo: isEmpty(dpo) ? { ...townContact, name: `Délégué à la protection des données, ${town.name}` } : dpo,
    processings: processings(legal['processings']) ?? defaultProcessings(town.name),
    termsExtra: strings(legal['termsExtra']),
  };
}

/** "12 mars 2026" from "2026-03-12". */
export function frenchDate(iso: string): string {
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}
