/**
 * Requests for civil-status records (actes de naissance, de mariage, de décès): the most frequent
 * requests a town hall receives after street reports. The three forms share their structure —
 * who asks, whom the record concerns, which document and how to deliver it.
 */
import type { Field, FormDefinition } from '../../procedures/form/definition.js';
import { randomDate, randomPerson, randomAddress, CITY, type Person } from '../people.js';
import type { Rng } from '../prng.js';
import { addDays, addYears, labelOf, options } from './helpers.js';
import type { DemoProcedure, SampleContext } from './types.js';

const QUALITIES = [
  ['titulaire', 'Je suis la personne concernée par l’acte'],
  ['parent', 'Son père ou sa mère'],
  ['conjoint', 'Son époux ou son épouse'],
  ['descendant', 'Son enfant ou petit-enfant'],
  ['representant', 'Son représentant légal (tuteur, avocat, notaire…)'],
  ['autre', 'Une autre personne'],
] as const;

const COPY_KINDS = [
  ['copie_integrale', 'Copie intégrale'],
  ['extrait_filiation', 'Extrait avec filiation'],
  ['extrait_sans_filiation', 'Extrait sans filiation'],
] as const;

const USES = [
  ['titre_identite', 'Carte d’identité ou passeport'],
  ['mariage_pacs', 'Mariage ou PACS'],
  ['succession', 'Succession'],
  ['nationalite', 'Certificat de nationalité'],
  ['autre', 'Autre'],
] as const;

const DELIVERY = [
  ['courrier', 'Par courrier à mon adresse'],
  ['guichet', 'Retrait au guichet de l’état civil'],
] as const;

type Kind = 'naissance' | 'mariage' | 'deces';

const text = (name: string, label: string, required: boolean, hint?: string): Field => ({
  type: 'text', name, label, maxLength: 150, ...(required ? { required } : {}), ...(hint ? { hint } : {}),
});

const REQUESTER_PAGE: FormDefinition['pages'][number] = {
  id: 'demandeur',
  title: 'Votre demande',
  fields: [
    { type: 'radio', name: 'qualite', label: 'Vous faites cette demande en tant que', required: true, options: options(QUALITIES) },
    { type: 'text', name: 'qualiteAutre', label: 'Précisez votre lien avec la personne ou votre qualité', required: true, maxLength: 200, visibleWhen: { field: 'qualite', op: 'eq', value: 'autre' } },
  ],
};

const PARENT_HINT = 'Indispensable pour une copie intégrale ou un extrait avec filiation.';

const PERSON_FIELDS: Record<Kind, Field[]> = {
  naissance: [
    text('nom', 'Nom de naissance', true),
    text('prenoms', 'Prénom(s)', true),
    { type: 'date', name: 'dateNaissance', label: 'Date de naissance', required: true, min: '1900-01-01', max: 'today' },
    text('lieuNaissance', 'Lieu de naissance', true, `La mairie ne délivre que les actes des naissances survenues à ${CITY}.`),
    text('nomPere', 'Nom du père', false, PARENT_HINT),
    text('prenomsPere', 'Prénom(s) du père', false),
    text('nomMere', 'Nom de naissance de la mère', false, PARENT_HINT),
    text('prenomsMere', 'Prénom(s) de la mère', false),
  ],
  mariage: [
    text('nomEpoux1', 'Nom de naissance du premier époux', true),
    text('prenomsEpoux1', 'Prénom(s) du premier époux', true),
    text('nomEpoux2', 'Nom de naissance du second époux', true),
    text('prenomsEpoux2', 'Prénom(s) du second époux', true),
    { type: 'date', name: 'dateMariage', label: 'Date du mariage', required: true, min: '1900-01-01', max: 'today' },
    text('lieuMariage', 'Lieu du mariage', true, `La mairie ne délivre que les actes des mariages célébrés à ${CITY}.`),
  ],
  deces: [
    text('nom', 'Nom de naissance de la personne décédée', true),
    text('prenoms', 'Prénom(s)', true),
    text('nomUsage', 'Nom d’usage (nom d’époux ou d’épouse)', false),
    { type: 'date', name: 'dateDeces', label: 'Date du décès', required: true, min: '1900-01-01', max: 'today' },
    text('lieuDeces', 'Lieu du décès', true, `Acte détenu par la mairie du lieu du décès (${CITY}) et par celle du dernier domicile.`),
    { type: 'date', name: 'dateNaissance', label: 'Date de naissance (si vous la connaissez)', min: '1900-01-01', max: 'today' },
  ],
};

function documentPage(kind: Kind): FormDefinition['pages'][number] {
  const copyKind: Field[] = kind === 'deces' ? [] : [{
    type: 'radio', name: 'typeActe', label: 'Document souhaité', required: true, options: options(COPY_KINDS),
    hint: 'Une personne sans lien de parenté avec le titulaire ne peut obtenir qu’un extrait sans filiation.',
  }];
  return {
    id: 'document',
    title: 'Document et délivrance',
    fields: [
      ...copyKind,
      { type: 'number', name: 'nombreExemplaires', label: 'Nombre d’exemplaires', required: true, integer: true, min: 1, max: 5 },
      { type: 'select', name: 'usage', label: 'Usage prévu (facultatif)', options: options(USES) },
      { type: 'radio', name: 'modeDelivrance', label: 'Comment souhaitez-vous recevoir le document ?', required: true, options: options(DELIVERY) },
      {
        type: 'address', name: 'adresseEnvoi', label: 'Adresse d’envoi', required: true,
        visibleWhen: { field: 'modeDelivrance', op: 'eq', value: 'courrier' }, prefill: { from: 'citizen', path: 'address' },
      },
    ],
  };
}

const TITLES: Record<Kind, string> = { naissance: 'naissance', mariage: 'mariage', deces: 'décès' };

function form(kind: Kind): FormDefinition {
  return {
    version: 1,
    pages: [
      REQUESTER_PAGE,
      { id: 'personne', title: kind === 'mariage' ? 'Les époux' : 'Personne concernée par l’acte', fields: PERSON_FIELDS[kind] },
      documentPage(kind),
    ],
  };
}

const QUALITY_WEIGHTS: Record<Kind, Record<string, number>> = {
  naissance: { titulaire: 60, parent: 15, conjoint: 3, descendant: 7, representant: 5, autre: 10 },
  mariage: { titulaire: 70, parent: 2, descendant: 10, representant: 8, autre: 10 },
  deces: { parent: 3, conjoint: 20, descendant: 45, representant: 17, autre: 15 },
};

function concerned(ctx: SampleContext, quality: string, ageRange: [number, number]): Person & { birthDate: string } {
  const { rng, citizen, today } = ctx;
  if (quality === 'titulaire' && citizen) return { ...citizen, birthDate: citizen.birthDate ?? randomDate(rng, 1950, 2000) };
  const person = randomPerson(rng, undefined, quality === 'parent' || quality === 'descendant' ? citizen?.lastName : undefined);
  const birthDate = addDays(addYears(today, -rng.int(ageRange[0], ageRange[1])), -rng.int(0, 364));
  return { ...person, birthDate };
}

function personData(kind: Kind, ctx: SampleContext, quality: string, withParents: boolean): Record<string, unknown> {
  const { rng, today } = ctx;
  if (kind === 'mariage') {
    const first = concerned(ctx, quality, [25, 70]);
    const second = randomPerson(rng, first.civility === 'M' ? 'Mme' : (rng.chance(0.9) ? 'M' : 'Mme'));
    return {
      nomEpoux1: first.lastName, prenomsEpoux1: first.firstNames, nomEpoux2: second.lastName, prenomsEpoux2: second.firstNames,
      dateMariage: addDays(today, -rng.int(30, 15_000)), lieuMariage: CITY,
    };
  }
  if (kind === 'deces') {
    const person = concerned(ctx, quality, [60, 95]);
    const death = addDays(today, -rng.int(3, 400));
    return {
      nom: person.lastName, prenoms: person.firstNames,
      ...(person.civility === 'Mme' && rng.chance(0.4) ? { nomUsage: randomPerson(rng).lastName } : {}),
      dateDeces: death, lieuDeces: CITY,
      ...(rng.chance(0.6) ? { dateNaissance: person.birthDate < death ? person.birthDate : addYears(death, -80) } : {}),
    };
  }
  const person = concerned(ctx, quality, quality === 'parent' ? [0, 17] : [18, 85]);
  const father = randomPerson(rng, 'M', person.lastName);
  const mother = randomPerson(rng, 'Mme');
  return {
    nom: person.lastName, prenoms: person.firstNames, dateNaissance: person.birthDate,
    lieuNaissance: CITY,
    ...(withParents ? { nomPere: father.lastName, prenomsPere: father.firstNames, nomMere: mother.lastName, prenomsMere: mother.firstNames } : {}),
  };
}

/** Mostly one copy. */
function copies(rng: Rng): number {
  return rng.chance(0.8) ? 1 : rng.int(2, 3);
}

function sample(kind: Kind, ctx: SampleContext): Record<string, unknown> {
  const { rng, citizen } = ctx;
  const quality = rng.weighted(QUALITY_WEIGHTS[kind]);
  const copyKind = quality === 'autre' ? 'extrait_sans_filiation' : rng.weighted({ copie_integrale: 45, extrait_filiation: 40, extrait_sans_filiation: 15 });
  const byPost = rng.chance(0.75);
  return {
    qualite: quality,
    ...(quality === 'autre' ? { qualiteAutre: rng.pick(['Généalogiste', 'Étude notariale', 'Voisin chargé des démarches', 'Cousin']) } : {}),
    ...personData(kind, ctx, quality, copyKind !== 'extrait_sans_filiation' && rng.chance(0.9)),
    ...(kind === 'deces' ? {} : { typeActe: copyKind }),
    nombreExemplaires: copies(rng),
    ...(rng.chance(0.5) ? { usage: rng.pick(USES)[0] } : {}),
    modeDelivrance: byPost ? 'courrier' : 'guichet',
    ...(byPost ? { adresseEnvoi: citizen?.address ?? randomAddress(rng) } : {}),
  };
}

function subject(kind: Kind, data: Record<string, unknown>): string {
  const what = kind === 'deces' ? 'Copie intégrale' : labelOf(COPY_KINDS, data['typeActe']);
  const who = kind === 'mariage' ? `${String(data['nomEpoux1'])} / ${String(data['nomEpoux2'])}` : `${String(data['prenoms'])} ${String(data['nom'])}`;
  return `${what} d’acte de ${TITLES[kind]} – ${who}`;
}

function civilStatus(kind: Kind, slug: string, weight: number, description: string): DemoProcedure {
  return {
    procedure: {
      slug,
      title: `Copie ou extrait d’acte de ${TITLES[kind]}`,
      category: 'État civil',
      description,
      form: form(kind),
      target: { value: 5, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 365,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'etat-civil',
    weight,
    channels: { web: 1, email: 0.8, mail: 2.5, counter: 1, phone: 0.4, mobile: 0.3, api: 0.5 },
    outcomes: { accepted: 92, refused: 5, without_action: 3 },
    medianDays: 3,
    sample: (ctx) => sample(kind, ctx),
    subject: (data) => subject(kind, data),
  };
}

export const CIVIL_STATUS_PROCEDURES: DemoProcedure[] = [
  civilStatus('naissance', 'acte-naissance', 14,
    'Demandez une copie intégrale ou un extrait de votre acte de naissance, ou de celui d’un proche, si la naissance a eu lieu à Démo-sur-Loire. Le document est gratuit. Les Français nés à l’étranger s’adressent au Service central d’état civil de Nantes.'),
  civilStatus('mariage', 'acte-mariage', 5,
    'Demandez une copie intégrale ou un extrait d’acte de mariage lorsque le mariage a été célébré à Démo-sur-Loire. Le document est gratuit et envoyé par courrier ou remis au guichet.'),
  civilStatus('deces', 'acte-deces', 4,
    'Toute personne peut obtenir la copie intégrale d’un acte de décès dressé ou transcrit à Démo-sur-Loire, par exemple pour une succession. Le document est gratuit.'),
];
