/**
 * Everyday citizen procedures: an appointment for an identity card or a passport (taken by the
 * town hall on behalf of the State), the compulsory census at 16, and the general contact form
 * that catches everything else, complaints included.
 */
import type { FormDefinition } from '../../procedures/form/definition.js';
import { randomAddress, randomChildFirstName, randomPerson, CITY } from '../people.js';
import { addDays, addYears, labelOf, options } from './helpers.js';
import type { DemoProcedure, SampleContext } from './types.js';

const TITLES = [['cni', 'Carte nationale d’identité'], ['passeport', 'Passeport'], ['les_deux', 'Carte d’identité et passeport']] as const;
const REASONS = [
  ['premiere', 'Première demande'], ['renouvellement', 'Renouvellement'], ['perte', 'Perte'], ['vol', 'Vol'],
  ['changement', 'Changement d’état civil ou d’adresse'],
] as const;

const APPOINTMENT_FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'rendez-vous',
      title: 'Votre rendez-vous',
      fields: [
        { type: 'radio', name: 'titre', label: 'Titre demandé', required: true, options: options(TITLES) },
        { type: 'radio', name: 'motif', label: 'Motif', required: true, options: options(REASONS) },
        { type: 'number', name: 'nombrePersonnes', label: 'Nombre de personnes (un rendez-vous chacune)', required: true, integer: true, min: 1, max: 5 },
        { type: 'yesno', name: 'mineur', label: 'Le rendez-vous concerne-t-il un mineur ?', required: true, hint: 'Le mineur doit être présent, accompagné d’un parent ou de son tuteur.' },
        {
          type: 'text', name: 'numeroPreDemande', label: 'Numéro de pré-demande ANTS', pattern: '[A-Z0-9]{10}',
          patternMessage: 'Le numéro de pré-demande compte 10 caractères : lettres majuscules et chiffres.',
          hint: 'Faites votre pré-demande sur ants.gouv.fr : le rendez-vous au guichet sera plus court.',
        },
        { type: 'select', name: 'creneau', label: 'Créneau préféré', required: true, options: options([['matin', 'Le matin'], ['apres_midi', 'L’après-midi'], ['samedi', 'Le samedi matin']]) },
        { type: 'date', name: 'datePreferee', label: 'À partir du', min: 'today' },
        { type: 'yesno', name: 'urgence', label: 'Devez-vous voyager ou passer un examen dans les semaines qui viennent ?', required: true },
        { type: 'textarea', name: 'justificationUrgence', label: 'Précisez (date du départ ou de l’examen)', required: true, maxLength: 1000, visibleWhen: { field: 'urgence', op: 'eq', value: true } },
      ],
    },
  ],
};

function appointmentSample({ rng, today }: SampleContext): Record<string, unknown> {
  const urgent = rng.chance(0.12);
  const preDemand = Array.from({ length: 10 }, () => '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'.charAt(rng.int(0, 31))).join('');
  return {
    titre: rng.weighted({ cni: 50, passeport: 30, les_deux: 20 }),
    motif: rng.weighted({ premiere: 15, renouvellement: 65, perte: 12, vol: 4, changement: 4 }),
    nombrePersonnes: rng.chance(0.75) ? 1 : rng.int(2, 4),
    mineur: rng.chance(0.3),
    ...(rng.chance(0.7) ? { numeroPreDemande: preDemand } : {}),
    creneau: rng.weighted({ matin: 40, apres_midi: 35, samedi: 25 }),
    ...(rng.chance(0.4) ? { datePreferee: addDays(today, rng.int(3, 30)) } : {}),
    urgence: urgent,
    ...(urgent ? { justificationUrgence: `Départ prévu le ${addDays(today, rng.int(15, 45)).split('-').reverse().join('/')}.` } : {}),
  };
}

const SITUATIONS = [
  ['scolaire', 'Collégien ou lycéen'], ['apprenti', 'Apprenti'], ['etudiant', 'Étudiant'], ['salarie', 'Salarié'],
  ['recherche', 'En recherche d’emploi'], ['autre', 'Autre'],
] as const;

const CENSUS_FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'jeune',
      title: 'Le jeune à recenser',
      fields: [
        { type: 'radio', name: 'declarant', label: 'Qui fait la déclaration ?', required: true, options: options([['jeune', 'Le jeune lui-même'], ['representant', 'Son représentant légal']]) },
        { type: 'text', name: 'nom', label: 'Nom', required: true, maxLength: 100 },
        { type: 'text', name: 'prenoms', label: 'Prénom(s)', required: true, maxLength: 150 },
        { type: 'radio', name: 'sexe', label: 'Sexe', required: true, options: options([['F', 'Féminin'], ['M', 'Masculin']]) },
        { type: 'date', name: 'dateNaissance', label: 'Date de naissance', required: true, min: '2000-01-01', max: 'today', hint: 'Le recensement se fait dans les trois mois qui suivent le 16e anniversaire.' },
        { type: 'text', name: 'lieuNaissance', label: 'Commune et département (ou pays) de naissance', required: true, maxLength: 150 },
        { type: 'text', name: 'nationalite', label: 'Nationalité', required: true, maxLength: 100 },
        { type: 'address', name: 'adresse', label: 'Adresse du domicile', required: true, prefill: { from: 'citizen', path: 'address' } },
      ],
    },
    {
      id: 'filiation',
      title: 'Filiation',
      fields: [
        { type: 'text', name: 'nomPere', label: 'Nom du père', maxLength: 100 },
        { type: 'text', name: 'prenomsPere', label: 'Prénom(s) du père', maxLength: 150 },
        { type: 'text', name: 'nomMere', label: 'Nom de naissance de la mère', maxLength: 100 },
        { type: 'text', name: 'prenomsMere', label: 'Prénom(s) de la mère', maxLength: 150 },
      ],
    },
    {
      id: 'situation',
      title: 'Situation',
      fields: [
        { type: 'select', name: 'situation', label: 'Situation actuelle', required: true, options: options(SITUATIONS) },
        { type: 'select', name: 'diplome', label: 'Diplôme le plus élevé', options: options([['aucun', 'Aucun'], ['brevet', 'Brevet des collèges'], ['cap', 'CAP ou BEP'], ['bac', 'Baccalauréat']]) },
        { type: 'yesno', name: 'dispense', label: 'Le jeune a-t-il une maladie ou un handicap qui pourrait le dispenser de la Journée défense et citoyenneté ?' },
      ],
    },
  ],
};

function censusSample({ rng, today, citizen }: SampleContext): Record<string, unknown> {
  const sex = rng.chance(0.5) ? 'F' : 'M';
  const lastName = citizen?.lastName ?? randomPerson(rng).lastName;
  const father = randomPerson(rng, 'M', lastName);
  const mother = randomPerson(rng, 'Mme');
  return {
    declarant: rng.chance(0.35) ? 'jeune' : 'representant',
    nom: lastName,
    prenoms: randomChildFirstName(rng, sex),
    sexe: sex,
    dateNaissance: addDays(addYears(today, -16), -rng.int(0, 90)),
    lieuNaissance: rng.chance(0.7) ? `${CITY} (99)` : rng.pick(['Tours (37)', 'Orléans (45)', 'Nantes (44)', 'Paris 14e (75)', 'Casablanca (Maroc)']),
    nationalite: rng.chance(0.95) ? 'Française' : rng.pick(['Franco-marocaine', 'Franco-portugaise']),
    adresse: citizen?.address ?? randomAddress(rng),
    ...(rng.chance(0.9) ? { nomPere: father.lastName, prenomsPere: father.firstNames, nomMere: mother.lastName, prenomsMere: mother.firstNames } : {}),
    situation: rng.weighted({ scolaire: 85, apprenti: 8, etudiant: 2, salarie: 1, recherche: 2, autre: 2 }),
    ...(rng.chance(0.8) ? { diplome: rng.weighted({ aucun: 30, brevet: 65, cap: 5 }) } : {}),
    ...(rng.chance(0.5) ? { dispense: rng.chance(0.03) } : {}),
  };
}

const TOPICS = [['information', 'Demande d’information'], ['reclamation', 'Réclamation'], ['suggestion', 'Suggestion'], ['remerciement', 'Remerciement'], ['autre', 'Autre']] as const;

/** Departments a citizen can name in the contact form; routing rules follow this choice. */
const CONTACT_SERVICES = [
  ['etat_civil', 'État civil, élections, cimetière'],
  ['voirie', 'Voirie, propreté, espaces verts'],
  ['enfance', 'Écoles, cantine, périscolaire'],
  ['urbanisme', 'Urbanisme, travaux'],
  ['associations', 'Associations, salles municipales'],
  ['inconnu', 'Je ne sais pas'],
] as const;

const CONTACT_FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'message',
      title: 'Votre message',
      fields: [
        { type: 'select', name: 'sujet', label: 'Nature de votre demande', required: true, options: options(TOPICS) },
        { type: 'select', name: 'service', label: 'Service concerné, si vous le savez', options: options(CONTACT_SERVICES) },
        { type: 'text', name: 'objet', label: 'Objet', required: true, maxLength: 150 },
        { type: 'textarea', name: 'message', label: 'Message', required: true, minLength: 10, maxLength: 5000 },
        {
          type: 'text', name: 'referenceDossier', label: 'Numéro du dossier concerné, le cas échéant', pattern: '[0-9]{4}-[0-9]{6}',
          patternMessage: 'Un numéro de dossier s’écrit comme 2025-000123.', visibleWhen: { field: 'sujet', op: 'eq', value: 'reclamation' },
        },
        { type: 'file', name: 'pieceJointe', label: 'Pièce jointe (facultatif)', accept: ['application/pdf', 'image/jpeg', 'image/png'], maxSizeBytes: 10_485_760, maxFiles: 2 },
        { type: 'radio', name: 'reponse', label: 'Comment préférez-vous recevoir la réponse ?', required: true, options: options([['courriel', 'Par courriel'], ['telephone', 'Par téléphone'], ['courrier', 'Par courrier']]) },
      ],
    },
  ],
};

const MESSAGES: Record<string, readonly (readonly [string, string])[]> = {
  information: [
    ['Horaires de la déchèterie', 'Bonjour, pourriez-vous m’indiquer les horaires d’ouverture de la déchèterie pendant les vacances ? Merci.'],
    ['Inscription sur les listes électorales', 'Bonjour, je viens d’emménager à Démo-sur-Loire : comment m’inscrire sur les listes électorales ?'],
    ['Concession au cimetière', 'Bonjour, je souhaite renouveler la concession de ma famille au cimetière communal. Quelle est la démarche ?'],
  ],
  reclamation: [
    ['Poubelles non collectées', 'Les bacs jaunes de notre rue n’ont pas été collectés depuis deux semaines malgré plusieurs appels.'],
    ['Facture de cantine erronée', 'La facture de cantine du mois dernier compte des repas alors que mon enfant était absent (certificat médical fourni).'],
    ['Bruit du chantier', 'Le chantier de la place du Marché commence avant 7 heures, y compris le samedi.'],
  ],
  suggestion: [
    ['Abri pour les vélos', 'Il serait utile d’installer un abri pour les vélos devant la médiathèque.'],
    ['Bancs au parc', 'Quelques bancs supplémentaires au parc des Tilleuls seraient bienvenus pour les personnes âgées.'],
  ],
  remerciement: [
    ['Merci aux agents', 'Merci aux équipes techniques pour la rapidité de leur intervention après la tempête.'],
  ],
  autre: [
    ['Objet trouvé', 'J’ai trouvé un trousseau de clés devant la mairie, je l’ai déposé à l’accueil.'],
  ],
};

function contactSample({ rng, today }: SampleContext): Record<string, unknown> {
  const topic = rng.weighted({ information: 50, reclamation: 25, suggestion: 10, remerciement: 5, autre: 10 });
  const [title, body] = rng.pick(MESSAGES[topic] ?? MESSAGES['autre'] ?? []);
  return {
    sujet: topic,
    ...(rng.chance(0.6) ? { service: rng.weighted({ etat_civil: 20, voirie: 30, enfance: 15, urbanisme: 10, associations: 5, inconnu: 20 }) } : {}),
    objet: title,
    message: body,
    ...(topic === 'reclamation' && rng.chance(0.3) ? { referenceDossier: `${today.slice(0, 4)}-${String(rng.int(1, 999)).padStart(6, '0')}` } : {}),
    reponse: rng.weighted({ courriel: 75, telephone: 20, courrier: 5 }),
  };
}

export const CITIZENSHIP_PROCEDURES: DemoProcedure[] = [
  {
    procedure: {
      slug: 'rendez-vous-titre-identite',
      title: 'Prendre rendez-vous pour une carte d’identité ou un passeport',
      category: 'Démarches citoyennes',
      description: 'La mairie de Démo-sur-Loire est équipée d’un dispositif de recueil : prenez rendez-vous pour déposer votre demande de carte nationale d’identité ou de passeport, quel que soit votre lieu de domicile. Pensez à la pré-demande en ligne sur ants.gouv.fr.',
      form: APPOINTMENT_FORM,
      target: { value: 3, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 365,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'etat-civil',
    weight: 9,
    channels: { web: 1.5, phone: 2, counter: 1, email: 0.4, mobile: 0.6 },
    season: [0.8, 0.9, 1.1, 1.3, 1.4, 1.3, 1, 0.8, 0.9, 0.9, 0.8, 0.8],
    outcomes: { accepted: 90, refused: 1, without_action: 9 },
    medianDays: 2,
    sample: appointmentSample,
    subject: (data) => `Rendez-vous ${labelOf(TITLES, data['titre']).toLowerCase()} – ${labelOf(REASONS, data['motif']).toLowerCase()}`,
  },
  {
    procedure: {
      slug: 'recensement-citoyen',
      title: 'Se faire recenser à 16 ans',
      category: 'Démarches citoyennes',
      description: 'Tout jeune Français doit se faire recenser dans les trois mois qui suivent son 16e anniversaire. L’attestation de recensement est demandée pour s’inscrire aux examens et au permis de conduire, et permet l’inscription d’office sur les listes électorales à 18 ans.',
      form: CENSUS_FORM,
      target: { value: 5, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 1095,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'etat-civil',
    weight: 3,
    channels: { web: 2, counter: 1.5, mail: 0.3, email: 0.3 },
    outcomes: { accepted: 97, refused: 1, without_action: 2 },
    medianDays: 3,
    sample: censusSample,
    subject: (data) => `Recensement citoyen – ${String(data['prenoms'])} ${String(data['nom'])}`,
  },
  {
    procedure: {
      slug: 'contact',
      title: 'Contacter la mairie',
      category: 'Démarches citoyennes',
      description: 'Une question, une réclamation, une suggestion ? Écrivez-nous : votre message est transmis au service concerné, qui vous répond sous dix jours ouvrés.',
      form: CONTACT_FORM,
      target: { value: 10, unit: 'business_days' },
      silence: { regime: 'none', delay: null },
      retentionDays: 730,
      allowAnonymous: false,
      isOnline: true,
      isLocated: false,
    },
    department: 'accueil',
    weight: 12,
    channels: { web: 1, email: 2.5, phone: 1.5, counter: 1, mail: 1, mobile: 0.5, social: 1.5 },
    outcomes: { accepted: 72, refused: 3, without_action: 25 },
    medianDays: 4,
    sample: contactSample,
    subject: (data) => String(data['objet']),
  },
];
