/**
 * Street reports (signalements voirie): the most frequent request of all, often anonymous, always
 * located, arriving through every channel including Open311 apps. Routing sends illegal dumping
 * and tags to the street-cleaning team (see ../routing.ts).
 */
import type { FormDefinition } from '../../procedures/form/definition.js';
import { DEMO_CENTRE, TILLEULS_INNER_BOX } from '../commune-data.js';
import { CITY, POSTCODE, STREETS } from '../people.js';
import type { Rng } from '../prng.js';
import { labelOf, options, sentence } from './helpers.js';
import type { DemoProcedure, SampleContext } from './types.js';

const CATEGORIES = [
  ['nid_de_poule', 'Nid-de-poule ou chaussée dégradée'],
  ['eclairage', 'Éclairage public'],
  ['depot_sauvage', 'Dépôt sauvage'],
  ['tag', 'Tag ou graffiti'],
  ['signalisation', 'Signalisation (panneau, feu, marquage)'],
  ['autre', 'Autre problème sur la voie publique'],
] as const;

const LIGHTING = [
  ['eteint', 'Lampadaire éteint'],
  ['allume_jour', 'Lampadaire allumé en journée'],
  ['endommage', 'Candélabre endommagé ou dangereux'],
  ['rue_eteinte', 'Plusieurs lampadaires éteints dans la rue'],
] as const;

const SIGNS = [
  ['panneau', 'Panneau tombé, tordu ou illisible'],
  ['feu', 'Feu tricolore en panne'],
  ['marquage', 'Marquage au sol effacé'],
] as const;

const DUMPING = [
  ['encombrants', 'Encombrants (meubles, électroménager)'],
  ['gravats', 'Gravats ou déchets de chantier'],
  ['sacs', 'Sacs d’ordures ménagères'],
  ['dechets_verts', 'Déchets verts'],
  ['autre', 'Autre'],
] as const;

const FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'probleme',
      title: 'Le problème constaté',
      fields: [
        { type: 'select', name: 'categorie', label: 'Type de problème', required: true, options: options(CATEGORIES) },
        { type: 'select', name: 'detailEclairage', label: 'Précisez', required: true, options: options(LIGHTING), visibleWhen: { field: 'categorie', op: 'eq', value: 'eclairage' } },
        { type: 'select', name: 'detailSignalisation', label: 'Précisez', required: true, options: options(SIGNS), visibleWhen: { field: 'categorie', op: 'eq', value: 'signalisation' } },
        { type: 'select', name: 'detailDepot', label: 'Nature des déchets', required: true, options: options(DUMPING), visibleWhen: { field: 'categorie', op: 'eq', value: 'depot_sauvage' } },
        { type: 'textarea', name: 'description', label: 'Description', required: true, minLength: 10, maxLength: 2000, hint: 'Décrivez ce que vous avez constaté : taille, depuis quand, gêne occasionnée…' },
        { type: 'yesno', name: 'danger', label: 'Le problème présente-t-il un danger immédiat pour les passants ou les véhicules ?', required: true },
      ],
    },
    {
      id: 'lieu',
      title: 'Localisation',
      fields: [
        { type: 'geolocation', name: 'localisation', label: 'Emplacement', required: true, hint: 'Placez le repère sur la carte ou utilisez la position de votre téléphone.' },
        { type: 'text', name: 'repere', label: 'Point de repère (numéro, commerce, arrêt de bus…)', maxLength: 200 },
      ],
    },
    {
      id: 'photos',
      title: 'Photos',
      description: 'Une photo aide les équipes à préparer leur intervention.',
      fields: [
        { type: 'file', name: 'photos', label: 'Photos (facultatif)', accept: ['image/jpeg', 'image/png'], maxSizeBytes: 10_485_760, maxFiles: 3 },
      ],
    },
  ],
};

const DESCRIPTIONS: Record<string, readonly string[]> = {
  nid_de_poule: [
    'Gros nid-de-poule sur la chaussée {0}, les voitures font des écarts pour l’éviter.',
    'La chaussée est très abîmée {0}, plusieurs trous se sont formés depuis les dernières pluies.',
    'Trou profond au bord du trottoir {0}, dangereux pour les vélos.',
  ],
  eclairage: [
    'Le lampadaire {0} ne fonctionne plus depuis plusieurs jours, la rue est très sombre le soir.',
    'L’éclairage public reste allumé toute la journée {0}.',
    'Un candélabre penche dangereusement {0} après le passage d’un camion.',
  ],
  depot_sauvage: [
    'Dépôt d’encombrants sur le trottoir {0} : matelas, canapé et sacs.',
    'Des gravats ont été abandonnés {0}, près des conteneurs.',
    'Sacs poubelles déposés au pied de l’arbre {0} depuis le week-end.',
  ],
  tag: [
    'Tags sur la façade de l’école {0}.',
    'Graffitis injurieux sur l’abribus {0}, à effacer rapidement.',
    'Nouveaux tags sur le mur du parking {0}.',
  ],
  signalisation: [
    'Le panneau stop {0} est tombé au sol.',
    'Le feu tricolore {0} clignote orange en permanence.',
    'Le passage piéton {0} est presque effacé, les voitures ne s’arrêtent plus.',
  ],
  autre: [
    'Une branche menace de tomber sur le trottoir {0}.',
    'Une plaque d’égout bouge au passage des voitures {0}.',
    'Le banc public {0} est cassé.',
  ],
};

function point(rng: Rng): { lat: number; lon: number } {
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  if (rng.chance(0.25)) {
    const box = TILLEULS_INNER_BOX;
    return { lat: round(box.minLat + rng.next() * (box.maxLat - box.minLat)), lon: round(box.minLon + rng.next() * (box.maxLon - box.minLon)) };
  }
  return { lat: round(DEMO_CENTRE.lat - 0.02 + rng.next() * 0.03), lon: round(DEMO_CENTRE.lon - 0.03 + rng.next() * 0.035) };
}

/** Month-dependent mix: potholes after winter frosts, lights in the long nights. */
function category(rng: Rng, month: number): string {
  const winter = month <= 3 || month >= 11;
  return rng.weighted({ nid_de_poule: winter ? 36 : 22, eclairage: winter ? 24 : 12, depot_sauvage: 24, tag: 11, signalisation: 8, autre: 10 });
}

function sample(ctx: SampleContext): Record<string, unknown> {
  const { rng } = ctx;
  const categorie = category(rng, Number(ctx.today.slice(5, 7)));
  const street = rng.pick(STREETS);
  const number = rng.int(1, 90);
  const where = rng.pick([`au ${number} ${street}`, `${street}`, `à l’angle de la ${street}`]);
  const details: Record<string, unknown> = {};
  if (categorie === 'eclairage') details['detailEclairage'] = rng.pick(LIGHTING)[0];
  if (categorie === 'signalisation') details['detailSignalisation'] = rng.pick(SIGNS)[0];
  if (categorie === 'depot_sauvage') details['detailDepot'] = rng.pick(DUMPING)[0];
  const location = point(rng);
  return {
    categorie,
    ...details,
    description: sentence(rng, DESCRIPTIONS[categorie] ?? DESCRIPTIONS['autre'] ?? [], where),
    danger: rng.chance(categorie === 'signalisation' || categorie === 'nid_de_poule' ? 0.18 : 0.05),
    localisation: rng.chance(0.7) ? { ...location, address: `${number} ${street}, ${POSTCODE} ${CITY}` } : location,
    ...(rng.chance(0.4) ? { repere: rng.pick(['Devant la boulangerie', 'Près de l’arrêt de bus', 'En face de l’école', 'À côté du parking', `Au niveau du n° ${number}`]) } : {}),
  };
}

function subject(data: Record<string, unknown>): string {
  const location = data['localisation'] as { address?: string } | undefined;
  const where = typeof data['repere'] === 'string' ? data['repere'] : (location?.address ?? 'lieu indiqué sur la carte');
  return `${labelOf(CATEGORIES, data['categorie'])} – ${where}`;
}

export const STREET_REPORT: DemoProcedure = {
  procedure: {
    slug: 'signalement-voirie',
    title: 'Signaler un problème sur la voie publique',
    category: 'Cadre de vie',
    description: 'Nid-de-poule, lampadaire en panne, dépôt sauvage, tag, panneau abîmé : signalez-le aux services techniques en le localisant sur la carte. Vous pouvez le faire sans vous identifier ; laissez une adresse électronique pour être informé de l’intervention.',
    form: FORM,
    target: { value: 10, unit: 'business_days' },
    silence: { regime: 'none', delay: null },
    retentionDays: 730,
    allowAnonymous: true,
    isOnline: true,
    isLocated: true,
    publishesReports: true,
  },
  department: 'voirie',
  weight: 30,
  channels: { web: 1, mobile: 3, email: 0.8, phone: 1.2, counter: 0.4, mail: 0.2, social: 4, api: 1, open311: 1 },
  outcomes: { accepted: 78, refused: 4, without_action: 18 },
  medianDays: 6,
  sample,
  subject,
  open311ServiceCode: 'voirie',
};
