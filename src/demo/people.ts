/**
 * Names, streets and contact details of the fictional inhabitants of Démo-sur-Loire. Every contact
 * is unreachable on purpose: e-mails use the reserved `.example` top-level domain (RFC 2606) and
 * phone numbers the ranges ARCEP reserves for fiction, so a demo can never write to a real person.
 */
import type { Rng } from './prng.js';

export const FEMALE_FIRST_NAMES = [
  'Camille', 'Léa', 'Manon', 'Chloé', 'Emma', 'Inès', 'Sarah', 'Julie', 'Laura', 'Pauline',
  'Marie', 'Anne', 'Nathalie', 'Sandrine', 'Isabelle', 'Céline', 'Aurélie', 'Élodie', 'Mélanie', 'Sophie',
  'Fatima', 'Nadia', 'Yasmine', 'Amina', 'Lucie', 'Margaux', 'Hélène', 'Monique', 'Françoise', 'Jacqueline',
  'Louise', 'Jeanne', 'Alice', 'Zoé', 'Lina', 'Rose', 'Ambre', 'Agathe', 'Clémence', 'Océane',
] as const;

export const MALE_FIRST_NAMES = [
  'Lucas', 'Hugo', 'Louis', 'Gabriel', 'Arthur', 'Jules', 'Nathan', 'Thomas', 'Antoine', 'Maxime',
  'Nicolas', 'Julien', 'Sébastien', 'Christophe', 'Stéphane', 'Laurent', 'Philippe', 'Pierre', 'Jean', 'Michel',
  'Karim', 'Mehdi', 'Youssef', 'Mamadou', 'Moussa', 'Théo', 'Raphaël', 'Léo', 'Paul', 'Adam',
  'Noé', 'Sacha', 'Tom', 'Éric', 'Patrick', 'Alain', 'Bernard', 'François', 'Olivier', 'Vincent',
] as const;

/** Names given in the last twenty years, for children and teenagers. */
const CHILD_FIRST_NAMES = {
  F: ['Léa', 'Manon', 'Chloé', 'Emma', 'Inès', 'Louise', 'Jade', 'Alice', 'Zoé', 'Lina', 'Rose', 'Ambre', 'Mila', 'Anna'],
  M: ['Lucas', 'Hugo', 'Louis', 'Gabriel', 'Arthur', 'Jules', 'Nathan', 'Théo', 'Raphaël', 'Léo', 'Adam', 'Noé', 'Sacha', 'Tom'],
} as const;

export const LAST_NAMES = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau',
  'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier',
  'Morel', 'Girard', 'André', 'Lefèvre', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez',
  'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Nicolas',
  'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Robin',
  'Benali', 'Diallo', 'Nguyen', 'Traoré', 'Haddad', 'Da Silva', 'Ferreira', 'Lemoine', 'Brunet', 'Caron',
] as const;

/** Streets of the fictional commune; the first ones are in the "Quartier des Tilleuls". */
export const STREETS = [
  'rue des Tilleuls', 'allée des Charmes', 'impasse des Acacias', 'rue du Moulin', 'avenue de la Loire',
  'rue Victor-Hugo', 'boulevard Jean-Jaurès', 'rue de la République', 'place du Marché', 'rue des Écoles',
  'chemin des Vignes', 'rue Pasteur', 'rue de la Gare', 'allée des Peupliers', 'rue Jules-Ferry',
  'quai des Mariniers', 'rue du Château', 'avenue Georges-Clemenceau', 'rue des Lavandières', 'route de Tours',
] as const;

export const POSTCODE = '99100';
export const CITY = 'Démo-sur-Loire';

/** The fiction ranges of the French numbering plan, one per geographic zone (ARCEP). */
const FICTION_RANGES = ['0199 00', '0261 91', '0353 01', '0465 71', '0536 49'] as const;

export interface Person {
  civility: 'M' | 'Mme';
  firstNames: string;
  lastName: string;
}

export function randomPerson(rng: Rng, civility: 'M' | 'Mme' = rng.chance(0.52) ? 'Mme' : 'M', lastName?: string): Person {
  const first = civility === 'Mme' ? rng.pick(FEMALE_FIRST_NAMES) : rng.pick(MALE_FIRST_NAMES);
  return { civility, firstNames: first, lastName: lastName ?? rng.pick(LAST_NAMES) };
}

export function randomChildFirstName(rng: Rng, sex: 'F' | 'M' = rng.chance(0.5) ? 'F' : 'M'): string {
  return rng.pick(CHILD_FIRST_NAMES[sex]);
}

/** "Élodie Da Silva" → "elodie.da-silva", the local part of a made-up address. */
export function emailLocalPart(firstNames: string, lastName: string): string {
  const slug = (text: string) =>
    text
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/[^a-z]+/g, '-')
      .replace(/^-|-$/g, '');
  return `${slug(firstNames)}.${slug(lastName)}`;
}

/** A made-up, undeliverable e-mail address; `n` disambiguates namesakes. */
export function citizenEmail(person: Person, n?: number): string {
  return `${emailLocalPart(person.firstNames, person.lastName)}${n === undefined ? '' : n}@courriel.example`;
}

/** A fiction-range phone number in E.164, e.g. +33261911234. */
export function fictionPhone(rng: Rng): string {
  const range = rng.pick(FICTION_RANGES).replace(' ', '');
  return `+33${range.slice(1)}${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

export interface StreetAddress {
  line1: string;
  postcode: string;
  city: string;
  country: 'FR';
}

export function randomAddress(rng: Rng): StreetAddress {
  const number = rng.int(1, 120);
  const suffix = rng.chance(0.06) ? ' bis' : '';
  return { line1: `${number}${suffix} ${rng.pick(STREETS)}`, postcode: POSTCODE, city: CITY, country: 'FR' };
}

/** An ISO date `YYYY-MM-DD` between two years, both included. */
export function randomDate(rng: Rng, fromYear: number, toYear: number): string {
  const year = rng.int(fromYear, toYear);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
