/**
 * Booking a municipal room: associations for their meetings and events, residents for family
 * celebrations. Silence for a month means acceptance, so the department must answer in time.
 */
import type { FormDefinition } from '../../procedures/form/definition.js';
import { addDays, labelOf, options, someOf } from './helpers.js';
import type { DemoProcedure, SampleContext } from './types.js';

const ROOMS = [
  ['salle_fetes', 'Salle des fêtes (250 personnes)'],
  ['tilleuls', 'Salle des Tilleuls (80 personnes)'],
  ['maison_associations', 'Maison des associations – salle de réunion (30 personnes)'],
  ['gymnase', 'Gymnase municipal (activités sportives)'],
] as const;

const EVENTS = [
  ['reunion', 'Réunion'], ['assemblee_generale', 'Assemblée générale'], ['fete_familiale', 'Fête familiale'],
  ['spectacle', 'Spectacle ou concert'], ['loto', 'Loto'], ['sport', 'Activité sportive'], ['autre', 'Autre'],
] as const;

const EQUIPMENT = [['tables', 'Tables'], ['chaises', 'Chaises'], ['sono', 'Sonorisation'], ['videoprojecteur', 'Vidéoprojecteur'], ['scene', 'Scène démontable']] as const;

const ASSOCIATIONS = ['Comité des fêtes de Démo-sur-Loire', 'Club de l’amitié', 'Démo Basket Club', 'Les Amis de la Loire', 'Chorale Arc-en-ciel', 'Association des parents d’élèves Jules-Ferry'];

const FORM: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'demandeur',
      title: 'Demandeur',
      fields: [
        { type: 'radio', name: 'typeDemandeur', label: 'Vous réservez pour', required: true, options: options([['association', 'Une association'], ['particulier', 'Vous-même (particulier)'], ['entreprise', 'Une entreprise']]) },
        { type: 'text', name: 'nomStructure', label: 'Nom de l’association ou de l’entreprise', required: true, maxLength: 200, visibleWhen: { field: 'typeDemandeur', op: 'in', value: ['association', 'entreprise'] } },
        { type: 'text', name: 'numeroRna', label: 'Numéro RNA de l’association', pattern: 'W[0-9]{9}', patternMessage: 'Le numéro RNA commence par W suivi de 9 chiffres.', visibleWhen: { field: 'typeDemandeur', op: 'eq', value: 'association' } },
      ],
    },
    {
      id: 'reservation',
      title: 'Réservation',
      fields: [
        { type: 'select', name: 'salle', label: 'Salle', required: true, options: options(ROOMS) },
        { type: 'date', name: 'date', label: 'Date', required: true, min: 'today' },
        { type: 'select', name: 'creneau', label: 'Créneau', required: true, options: options([['matin', 'Matin'], ['apres_midi', 'Après-midi'], ['soiree', 'Soirée'], ['journee', 'Journée entière'], ['week_end', 'Week-end complet']]) },
        { type: 'number', name: 'nombrePersonnes', label: 'Nombre de personnes attendues', required: true, integer: true, min: 1, max: 250 },
        { type: 'select', name: 'typeEvenement', label: 'Type d’événement', required: true, options: options(EVENTS) },
        { type: 'yesno', name: 'buvette', label: 'Prévoyez-vous une buvette ?', required: true, hint: 'Une buvette ouverte au public demande une autorisation temporaire de débit de boissons.' },
        { type: 'yesno', name: 'materiel', label: 'Avez-vous besoin de matériel municipal ?', required: true },
        { type: 'checkboxes', name: 'materielDemande', label: 'Matériel souhaité', required: true, minItems: 1, options: options(EQUIPMENT), visibleWhen: { field: 'materiel', op: 'eq', value: true } },
        { type: 'textarea', name: 'precisions', label: 'Précisions', maxLength: 2000 },
      ],
    },
  ],
};

const CAPACITY: Record<string, number> = { salle_fetes: 250, tilleuls: 80, maison_associations: 30, gymnase: 200 };

function sample({ rng, today }: SampleContext): Record<string, unknown> {
  const kind = rng.weighted({ association: 65, particulier: 30, entreprise: 5 });
  const room = kind === 'particulier' ? rng.pick(['salle_fetes', 'tilleuls']) : rng.weighted({ salle_fetes: 20, tilleuls: 25, maison_associations: 45, gymnase: 10 });
  const event = kind === 'particulier' ? 'fete_familiale' : room === 'gymnase' ? 'sport' : rng.weighted({ reunion: 45, assemblee_generale: 20, spectacle: 12, loto: 13, autre: 10 });
  const equipment = rng.chance(0.45);
  return {
    typeDemandeur: kind,
    ...(kind === 'association' ? { nomStructure: rng.pick(ASSOCIATIONS), ...(rng.chance(0.6) ? { numeroRna: `W999${String(rng.int(0, 999_999)).padStart(6, '0')}` } : {}) } : {}),
    ...(kind === 'entreprise' ? { nomStructure: 'Démo Événements SARL' } : {}),
    salle: room,
    date: addDays(today, rng.int(15, 120)),
    creneau: event === 'fete_familiale' ? rng.pick(['soiree', 'week_end']) : rng.weighted({ matin: 15, apres_midi: 30, soiree: 40, journee: 15 }),
    nombrePersonnes: rng.int(Math.min(10, CAPACITY[room] ?? 30), CAPACITY[room] ?? 30),
    typeEvenement: event,
    buvette: event === 'loto' || event === 'spectacle' ? rng.chance(0.8) : rng.chance(0.1),
    materiel: equipment,
    ...(equipment ? { materielDemande: someOf(rng, EQUIPMENT.map(([value]) => value), 1, 3) } : {}),
  };
}

export const ROOM_BOOKING: DemoProcedure = {
  procedure: {
    slug: 'reservation-salle',
    title: 'Réserver une salle municipale',
    category: 'Associations',
    description: 'Salle des fêtes, salle des Tilleuls, salles de réunion de la Maison des associations, gymnase : réservez au moins quinze jours à l’avance. Sans réponse de la mairie dans un délai d’un mois, la réservation est réputée acceptée.',
    form: FORM,
    target: { value: 15, unit: 'calendar_days' },
    silence: { regime: 'accept', delay: { value: 1, unit: 'months' } },
    retentionDays: 1825,
    allowAnonymous: false,
    isOnline: true,
    isLocated: false,
  },
  department: 'vie-associative',
  weight: 4,
  channels: { web: 1.5, email: 1.2, counter: 0.8, phone: 0.5, mail: 0.3 },
  season: [1.1, 1, 1, 1.1, 1.2, 1.1, 0.6, 0.5, 1.3, 1.2, 1.1, 1],
  outcomes: { accepted: 76, refused: 20, without_action: 4 },
  medianDays: 8,
  sample,
  subject: (data) => `${labelOf(ROOMS, data['salle']).replace(/ \(.*\)$/, '')} – ${labelOf(EVENTS, data['typeEvenement']).toLowerCase()}`,
};
