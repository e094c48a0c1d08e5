/**
 * Town-planning requests: temporary occupation of the public domain (scaffolding, skips, removal
 * vans — an implicit rejection after two months of silence, as the CRPA provides for it) and the
 * street-numbering certificate notaries ask for.
 */
import type { FormDefinition } from '../../procedures/form/definition.js';
import { randomAddress } from '../people.js';
import { addDays, labelOf, options } from './helpers.js';
import type { DemoProcedure, SampleContext } from './types.js';

const OCCUPATIONS = [
  ['echafaudage', 'Échafaudage'],
  ['benne', 'Benne ou dépôt de matériaux'],
  ['demenagement', 'Véhicule de déménagement'],
  ['palissade', 'Palissade de chantier'],
  ['nacelle', 'Nacelle ou camion-grue'],
  ['terrasse', 'Terrasse ou étalage commercial'],
  ['autre', 'Autre'],
] as const;

const COMPANIES = ['Toitures du Val de Loire', 'Martin Rénovation', 'Déménagements Express', 'Façades & Patrimoine', 'Café de la Place', 'BTP Démo Construction'];

const OCCUPATION_FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'demandeur',
      title: 'Demandeur',
      fields: [
        { type: 'radio', name: 'typeDemandeur', label: 'Vous êtes', required: true, options: options([['particulier', 'Un particulier'], ['entreprise', 'Une entreprise ou un commerce']]) },
        { type: 'text', name: 'raisonSociale', label: 'Raison sociale', required: true, maxLength: 200, visibleWhen: { field: 'typeDemandeur', op: 'eq', value: 'entreprise' } },
        { type: 'text', name: 'siret', label: 'Numéro SIRET', required: true, pattern: '[0-9]{14}', patternMessage: 'Le SIRET compte 14 chiffres, sans espace.', visibleWhen: { field: 'typeDemandeur', op: 'eq', value: 'entreprise' } },
      ],
    },
    {
      id: 'occupation',
      title: 'L’occupation du domaine public',
      fields: [
        { type: 'select', name: 'typeOccupation', label: 'Nature de l’occupation', required: true, options: options(OCCUPATIONS) },
        { type: 'text', name: 'typeAutre', label: 'Précisez', required: true, maxLength: 200, visibleWhen: { field: 'typeOccupation', op: 'eq', value: 'autre' } },
        { type: 'address', name: 'adresse', label: 'Adresse de l’occupation', required: true },
        { type: 'date', name: 'dateDebut', label: 'Premier jour', required: true, min: 'today', hint: 'Déposez votre demande au moins 15 jours avant.' },
        { type: 'date', name: 'dateFin', label: 'Dernier jour', required: true, min: 'today' },
        { type: 'number', name: 'surface', label: 'Emprise au sol (m²)', min: 1, max: 500 },
        { type: 'yesno', name: 'stationnement', label: 'Faut-il neutraliser des places de stationnement ?', required: true },
        { type: 'number', name: 'nombrePlaces', label: 'Nombre de places', required: true, integer: true, min: 1, max: 20, visibleWhen: { field: 'stationnement', op: 'eq', value: true } },
        { type: 'textarea', name: 'precisions', label: 'Précisions (horaires, accès, sécurité du cheminement piéton…)', maxLength: 2000 },
        { type: 'file', name: 'plan', label: 'Plan de situation ou croquis (facultatif)', accept: ['application/pdf', 'image/jpeg', 'image/png'], maxSizeBytes: 10_485_760 },
      ],
    },
  ],
};

function occupationSample({ rng, today, citizen }: SampleContext): Record<string, unknown> {
  const kind = rng.weighted({ echafaudage: 25, benne: 25, demenagement: 30, palissade: 6, nacelle: 6, terrasse: 5, autre: 3 });
  const company = kind !== 'demenagement' && rng.chance(0.8);
  const start = addDays(today, rng.int(7, 45));
  const parking = kind === 'demenagement' || rng.chance(0.4);
  return {
    typeDemandeur: company ? 'entreprise' : 'particulier',
    ...(company ? { raisonSociale: rng.pick(COMPANIES), siret: `999${String(rng.int(0, 99_999_999_999)).padStart(11, '0')}` } : {}),
    typeOccupation: kind,
    ...(kind === 'autre' ? { typeAutre: 'Stand de vente temporaire' } : {}),
    adresse: !company && citizen?.address ? citizen.address : randomAddress(rng),
    dateDebut: start,
    dateFin: addDays(start, kind === 'demenagement' ? 0 : rng.int(1, 30)),
    ...(rng.chance(0.6) ? { surface: rng.int(2, 40) } : {}),
    stationnement: parking,
    ...(parking ? { nombrePlaces: rng.int(1, 3) } : {}),
    ...(rng.chance(0.3) ? { precisions: 'Un passage piéton d’au moins 1,40 m sera maintenu le long de l’installation.' } : {}),
  };
}

const NUMBERING_FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'demande',
      title: 'La parcelle',
      fields: [
        { type: 'radio', name: 'qualite', label: 'Vous êtes', required: true, options: options([['proprietaire', 'Propriétaire'], ['notaire', 'Notaire'], ['geometre', 'Géomètre-expert'], ['autre', 'Autre (architecte, mandataire…)']]) },
        {
          type: 'text', name: 'referenceCadastrale', label: 'Référence cadastrale', required: true, maxLength: 20,
          pattern: '([0-9]{3} ?)?[A-Z]{1,2} ?[0-9]{1,4}', patternMessage: 'Indiquez la section et le numéro de parcelle, par exemple AB 123.',
          hint: 'Elle figure sur votre avis de taxe foncière ou sur cadastre.gouv.fr.',
        },
        { type: 'address', name: 'adresse', label: 'Adresse actuelle ou voie qui dessert la parcelle', required: true },
        { type: 'yesno', name: 'constructionNeuve', label: 'S’agit-il d’une construction neuve ?', required: true },
        { type: 'text', name: 'numeroPermis', label: 'Numéro du permis de construire', maxLength: 30, hint: 'Par exemple PC 099999 24 00012.', visibleWhen: { field: 'constructionNeuve', op: 'eq', value: true } },
        { type: 'radio', name: 'delivrance', label: 'Envoi du certificat', required: true, options: options([['courriel', 'Par courriel'], ['courrier', 'Par courrier']]) },
        { type: 'textarea', name: 'precisions', label: 'Précisions', maxLength: 2000 },
      ],
    },
  ],
};

function numberingSample({ rng, today }: SampleContext): Record<string, unknown> {
  const newBuilding = rng.chance(0.4);
  const section = `${String.fromCharCode(65 + rng.int(0, 7))}${String.fromCharCode(65 + rng.int(0, 25))}`;
  return {
    qualite: rng.weighted({ proprietaire: 35, notaire: 45, geometre: 10, autre: 10 }),
    referenceCadastrale: `${section} ${rng.int(1, 999)}`,
    adresse: randomAddress(rng),
    constructionNeuve: newBuilding,
    ...(newBuilding && rng.chance(0.8) ? { numeroPermis: `PC 099999 ${today.slice(2, 4)} ${String(rng.int(1, 200)).padStart(5, '0')}` } : {}),
    delivrance: rng.chance(0.8) ? 'courriel' : 'courrier',
  };
}

export const TOWN_PLANNING_PROCEDURES: DemoProcedure[] = [
  {
    procedure: {
      slug: 'occupation-domaine-public',
      title: 'Occuper temporairement le domaine public',
      category: 'Urbanisme',
      description: 'Échafaudage, benne, camion de déménagement, palissade : toute installation sur le trottoir ou la chaussée demande une autorisation (permis de stationnement). Faites la demande au moins 15 jours avant. Sans réponse dans les deux mois, la demande est réputée rejetée.',
      form: OCCUPATION_FORM,
      target: { value: 15, unit: 'business_days' },
      silence: { regime: 'reject', delay: { value: 2, unit: 'months' } },
      retentionDays: 1825,
      allowAnonymous: false,
      isOnline: true,
      isLocated: true,
    },
    department: 'urbanisme',
    weight: 3,
    channels: { web: 1.5, email: 1, counter: 0.5, mail: 0.4, phone: 0.2 },
    season: [0.6, 0.7, 0.9, 1.1, 1.2, 1.4, 1.5, 1.3, 1.2, 1, 0.7, 0.5],
    outcomes: { accepted: 85, refused: 12, without_action: 3 },
    medianDays: 9,
    sample: occupationSample,
    subject: (data) => `${labelOf(OCCUPATIONS, data['typeOccupation'])} – ${String((data['adresse'] as { line1?: string } | undefined)?.line1 ?? '')}`,
  },
  {
    procedure: {
      slug: 'certificat-numerotage',
      title: 'Obtenir un certificat de numérotage',
      category: 'Urbanisme',
      description: 'Le certificat de numérotage atteste l’adresse officielle d’une parcelle ou d’une construction. Il est demandé par les notaires lors d’une vente et nécessaire au raccordement des constructions neuves.',
      form: NUMBERING_FORM,
      target: { value: 10, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 3650,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'urbanisme',
    weight: 1.5,
    channels: { web: 1, email: 1.5, mail: 1, counter: 0.3, api: 0.5 },
    outcomes: { accepted: 94, refused: 3, without_action: 3 },
    medianDays: 6,
    sample: numberingSample,
    subject: (data) => `Certificat de numérotage – parcelle ${String(data['referenceCadastrale'])}`,
  },
];
