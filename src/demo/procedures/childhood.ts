/**
 * School and after-school enrolment, the procedures where the household matters: the child is
 * picked among the household's children (`householdMember`), or described when not listed yet.
 * Both peak in spring and at the start of the school year.
 */
import type { FormDefinition, FormPage } from '../../procedures/form/definition.js';
import { randomChildFirstName, randomPerson } from '../people.js';
import type { Rng } from '../prng.js';
import { addDays, options, someOf } from './helpers.js';
import type { DemoProcedure, SampleContext } from './types.js';

const LEVELS = [
  ['tps', 'Toute petite section'], ['ps', 'Petite section'], ['ms', 'Moyenne section'], ['gs', 'Grande section'],
  ['cp', 'CP'], ['ce1', 'CE1'], ['ce2', 'CE2'], ['cm1', 'CM1'], ['cm2', 'CM2'],
] as const;

const SCHOOLS = [
  ['tilleuls', 'École maternelle des Tilleuls'],
  ['jules_ferry', 'École élémentaire Jules-Ferry'],
  ['val_de_loire', 'Groupe scolaire du Val de Loire'],
] as const;

const CHILD_PAGE: FormPage = {
  id: 'enfant',
  title: 'L’enfant',
  fields: [
    {
      type: 'householdMember', name: 'enfant', label: 'Enfant concerné', memberRole: 'child', prefill: { from: 'household', role: 'child' },
      hint: 'Choisissez l’enfant parmi les membres de votre foyer ; s’il n’y figure pas encore, renseignez-le ci-dessous.',
    },
    { type: 'text', name: 'enfantPrenom', label: 'Prénom de l’enfant', required: true, maxLength: 100, visibleWhen: { field: 'enfant', op: 'empty' } },
    { type: 'text', name: 'enfantNom', label: 'Nom de l’enfant', required: true, maxLength: 100, visibleWhen: { field: 'enfant', op: 'empty' } },
    { type: 'date', name: 'enfantDateNaissance', label: 'Date de naissance de l’enfant', required: true, min: '2005-01-01', max: 'today', visibleWhen: { field: 'enfant', op: 'empty' } },
  ],
};

const SCHOOL_FORM: FormDefinition = {
  version: 1,
  pages: [
    CHILD_PAGE,
    {
      id: 'scolarite',
      title: 'Scolarité',
      fields: [
        { type: 'select', name: 'niveau', label: 'Niveau à la rentrée', required: true, options: options(LEVELS) },
        { type: 'select', name: 'ecole', label: 'École souhaitée', required: true, options: options([...SCHOOLS, ['secteur', 'L’école de mon secteur']]), hint: 'L’affectation dépend du secteur scolaire de votre domicile.' },
        { type: 'yesno', name: 'derogation', label: 'Demandez-vous une dérogation au secteur scolaire ?', required: true },
        { type: 'textarea', name: 'motifDerogation', label: 'Motif de la dérogation', required: true, minLength: 10, maxLength: 2000, visibleWhen: { field: 'derogation', op: 'eq', value: true } },
        { type: 'yesno', name: 'fratrie', label: 'Un frère ou une sœur est-il déjà scolarisé dans la commune ?' },
        { type: 'select', name: 'ecoleFratrie', label: 'Dans quelle école ?', required: true, options: options(SCHOOLS), visibleWhen: { field: 'fratrie', op: 'eq', value: true } },
      ],
    },
    {
      id: 'responsables',
      title: 'Responsables légaux',
      fields: [
        {
          type: 'group', name: 'responsables', label: 'Responsables légaux', minItems: 1, maxItems: 2,
          fields: [
            { type: 'select', name: 'lien', label: 'Lien avec l’enfant', required: true, options: options([['mere', 'Mère'], ['pere', 'Père'], ['tuteur', 'Tuteur ou tutrice']]) },
            { type: 'text', name: 'nom', label: 'Nom', required: true, maxLength: 100 },
            { type: 'text', name: 'prenom', label: 'Prénom', required: true, maxLength: 100 },
            { type: 'phone', name: 'telephone', label: 'Téléphone', required: true },
            { type: 'email', name: 'courriel', label: 'Adresse électronique' },
          ],
        },
        { type: 'yesno', name: 'gardeAlternee', label: 'L’enfant est-il en résidence alternée ?' },
      ],
    },
  ],
};

const DAYS = [['lundi', 'Lundi'], ['mardi', 'Mardi'], ['jeudi', 'Jeudi'], ['vendredi', 'Vendredi']] as const;
const SERVICES = [
  ['cantine', 'Restauration scolaire'],
  ['accueil_matin', 'Accueil du matin (7 h 30 – 8 h 20)'],
  ['accueil_soir', 'Accueil du soir (16 h 30 – 18 h 30)'],
  ['mercredi', 'Accueil de loisirs du mercredi'],
] as const;
const CANTEEN = { field: 'services', op: 'contains', value: 'cantine' } as const;

const AFTER_SCHOOL_FORM: FormDefinition = {
  version: 1,
  pages: [
    CHILD_PAGE,
    {
      id: 'services',
      title: 'Services souhaités',
      fields: [
        { type: 'select', name: 'ecole', label: 'École fréquentée', required: true, options: options(SCHOOLS) },
        { type: 'checkboxes', name: 'services', label: 'Services', required: true, minItems: 1, options: options(SERVICES) },
        { type: 'checkboxes', name: 'joursCantine', label: 'Jours de restauration', required: true, minItems: 1, options: options(DAYS), visibleWhen: CANTEEN },
        { type: 'select', name: 'typeRepas', label: 'Type de repas', required: true, options: options([['standard', 'Standard'], ['sans_viande', 'Sans viande'], ['sans_porc', 'Sans porc']]), visibleWhen: CANTEEN },
        { type: 'yesno', name: 'regimeAlimentaire', label: 'Votre enfant a-t-il une allergie ou un régime alimentaire médical ?', required: true },
        { type: 'textarea', name: 'precisionsRegime', label: 'Précisez l’allergie ou le régime', required: true, maxLength: 2000, visibleWhen: { field: 'regimeAlimentaire', op: 'eq', value: true } },
        { type: 'yesno', name: 'pai', label: 'Un projet d’accueil individualisé (PAI) a-t-il été établi avec le médecin scolaire ?', visibleWhen: { field: 'regimeAlimentaire', op: 'eq', value: true } },
      ],
    },
    {
      id: 'facturation',
      title: 'Facturation',
      fields: [
        { type: 'number', name: 'quotientFamilial', label: 'Quotient familial CAF', integer: true, min: 0, max: 5000, hint: 'Sans quotient familial, le tarif le plus élevé s’applique.' },
        { type: 'yesno', name: 'prelevement', label: 'Souhaitez-vous payer par prélèvement automatique ?', required: true },
      ],
    },
  ],
};

/** Year of the next school start: enrolments from March on are for the coming September. */
function schoolYear(today: string): number {
  const year = Number(today.slice(0, 4));
  return Number(today.slice(5, 7)) >= 3 ? year : year - 1;
}

/** A household child of school age (2–10 at the school start), or a newly described one. */
function child(ctx: SampleContext, start: number): { data: Record<string, unknown>; level: number; lastName: string } {
  const { rng, citizen, children, today } = ctx;
  const eligible = children.filter((c) => c.birthDate !== null && start - Number(c.birthDate.slice(0, 4)) - 2 >= 0 && start - Number(c.birthDate.slice(0, 4)) - 2 < LEVELS.length);
  if (eligible.length > 0 && rng.chance(0.8)) {
    const chosen = rng.pick(eligible);
    return { data: { enfant: chosen.id }, level: start - Number(chosen.birthDate?.slice(0, 4)) - 2, lastName: chosen.lastName };
  }
  const level = rng.int(1, LEVELS.length - 1);
  const lastName = citizen?.lastName ?? randomPerson(rng).lastName;
  const birth = `${start - level - 2}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  return { data: { enfantPrenom: randomChildFirstName(rng), enfantNom: lastName, enfantDateNaissance: birth < today ? birth : addDays(today, -800) }, level, lastName };
}

function guardians(ctx: SampleContext, lastName: string): Record<string, unknown>[] {
  const { rng, citizen } = ctx;
  const first = citizen ?? randomPerson(rng, undefined, lastName);
  const list: Record<string, unknown>[] = [{
    lien: first.civility === 'Mme' ? 'mere' : 'pere', nom: first.lastName, prenom: first.firstNames,
    telephone: citizen?.phone ?? '+33261910099', ...(citizen?.email ? { courriel: citizen.email } : {}),
  }];
  if (rng.chance(0.6)) {
    const other = randomPerson(rng, first.civility === 'Mme' ? 'M' : 'Mme', lastName);
    list.push({ lien: other.civility === 'Mme' ? 'mere' : 'pere', nom: other.lastName, prenom: other.firstNames, telephone: `+3326191${String(rng.int(1000, 9999))}` });
  }
  return list;
}

function schoolFor(rng: Rng, level: number): string {
  return level <= 3 ? rng.pick(['tilleuls', 'val_de_loire']) : rng.pick(['jules_ferry', 'val_de_loire']);
}

function schoolSample(ctx: SampleContext): Record<string, unknown> {
  const { rng } = ctx;
  const { data, level, lastName } = child(ctx, schoolYear(ctx.today));
  const derogation = rng.chance(0.12);
  const siblings = rng.chance(0.35);
  return {
    ...data,
    niveau: LEVELS[level]?.[0] ?? 'ps',
    ecole: rng.chance(0.3) ? 'secteur' : schoolFor(rng, level),
    derogation,
    ...(derogation ? { motifDerogation: rng.pick(['Garde de l’enfant assurée par ses grands-parents près de l’école demandée.', 'Rapprochement du lieu de travail des parents.', 'Frère aîné scolarisé dans cette école.']) } : {}),
    ...(rng.chance(0.8) ? { fratrie: siblings, ...(siblings ? { ecoleFratrie: schoolFor(rng, level) } : {}) } : {}),
    responsables: guardians(ctx, lastName),
    ...(rng.chance(0.7) ? { gardeAlternee: rng.chance(0.1) } : {}),
  };
}

function afterSchoolSample(ctx: SampleContext): Record<string, unknown> {
  const { rng } = ctx;
  const { data, level } = child(ctx, schoolYear(ctx.today));
  const services = someOf(rng, SERVICES.map(([value]) => value), 1, 3);
  const canteen = services.includes('cantine');
  const diet = rng.chance(0.12);
  return {
    ...data,
    ecole: schoolFor(rng, level),
    services,
    ...(canteen ? { joursCantine: rng.chance(0.7) ? DAYS.map(([day]) => day) : someOf(rng, DAYS.map(([day]) => day), 1, 3), typeRepas: rng.weighted({ standard: 80, sans_viande: 12, sans_porc: 8 }) } : {}),
    regimeAlimentaire: diet,
    ...(diet ? { precisionsRegime: rng.pick(['Allergie à l’arachide.', 'Intolérance au lactose.', 'Maladie cœliaque : régime sans gluten.']), pai: rng.chance(0.6) } : {}),
    ...(rng.chance(0.75) ? { quotientFamilial: rng.int(300, 2200) } : {}),
    prelevement: rng.chance(0.65),
  };
}

/** Enrolments cluster from March to June, after-school ones again at the school start. */
const SCHOOL_SEASON = [0.4, 0.8, 2.5, 3, 2.6, 1.6, 0.6, 0.6, 1, 0.4, 0.3, 0.2] as const;
const AFTER_SCHOOL_SEASON = [0.5, 0.4, 0.4, 0.6, 1, 2.6, 2.2, 2.6, 2, 0.6, 0.5, 0.4] as const;

const childName = (data: Record<string, unknown>) => (typeof data['enfantPrenom'] === 'string' ? ` – ${data['enfantPrenom']} ${String(data['enfantNom'])}` : '');

export const CHILDHOOD_PROCEDURES: DemoProcedure[] = [
  {
    procedure: {
      slug: 'inscription-scolaire',
      title: 'Inscrire son enfant à l’école',
      category: 'Enfance',
      description: 'L’inscription en mairie est la première étape pour une entrée en maternelle, en CP ou après un déménagement. Une fois le certificat d’inscription délivré, prenez rendez-vous avec la direction de l’école pour l’admission.',
      form: SCHOOL_FORM,
      target: { value: 10, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 1095,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'education-enfance',
    weight: 4,
    channels: { web: 2, counter: 1, email: 0.6, mail: 0.3, mobile: 0.3 },
    season: SCHOOL_SEASON,
    outcomes: { accepted: 95, refused: 3, without_action: 2 },
    medianDays: 5,
    sample: schoolSample,
    subject: (data) => `Inscription scolaire${childName(data)}`,
  },
  {
    procedure: {
      slug: 'inscription-periscolaire',
      title: 'Inscrire son enfant à la cantine et au périscolaire',
      category: 'Enfance',
      description: 'Restauration scolaire, accueil du matin et du soir, mercredis : inscrivez votre enfant pour l’année scolaire. Les tarifs dépendent du quotient familial.',
      form: AFTER_SCHOOL_FORM,
      target: { value: 10, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 1095,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'education-enfance',
    weight: 5,
    channels: { web: 2.5, counter: 0.8, email: 0.5, mobile: 0.4, mail: 0.2 },
    season: AFTER_SCHOOL_SEASON,
    outcomes: { accepted: 96, refused: 2, without_action: 2 },
    medianDays: 4,
    sample: afterSchoolSample,
    subject: (data) => `Inscription périscolaire${childName(data)}`,
  },
];
