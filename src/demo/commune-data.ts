/**
 * The fictional commune "Ville de Démo": its identity, its departments and its agents. Codes are
 * deliberately impossible (COG 99999, SIREN 999999999, postcode 99100) so that demo data can never
 * be mistaken for a real town hall's.
 */
import type { OpeningHoursJson } from '../organisations/types.js';

export const DEMO_SLUG = 'ville-de-demo';

export const DEMO_ORGANISATION = {
  slug: DEMO_SLUG,
  name: 'Ville de Démo',
  cog: '99999',
  siren: '999999999',
  address: 'Place de la Mairie, 99100 Démo-sur-Loire',
  email: 'contact@ville-de-demo.fr',
  phone: '+33261910000',
  website: 'https://www.ville-de-demo.fr',
  branding: { primaryColor: '#1f4e8c', logoText: 'Ville de Démo' },
} as const;

/** Town-hall centre; the "Quartier des Tilleuls" lies just north-east of it. */
export const DEMO_CENTRE = { lat: 47.39, lon: 0.69 } as const;

/** The "Quartier des Tilleuls" as GeoJSON ([longitude, latitude], closed ring), for sector routing. */
export const TILLEULS_SECTOR = {
  type: 'Polygon' as const,
  coordinates: [[[0.69, 47.39], [0.702, 47.3905], [0.7035, 47.396], [0.697, 47.3985], [0.6895, 47.3965], [0.69, 47.39]]],
};

/** A rectangle lying entirely inside the Tilleuls polygon: points drawn from it route by sector. */
export const TILLEULS_INNER_BOX = { minLat: 47.391, maxLat: 47.396, minLon: 0.691, maxLon: 0.701 } as const;

const WEEKDAYS: OpeningHoursJson = {
  mon: [['08:30', '12:00'], ['13:30', '17:30']],
  tue: [['08:30', '12:00'], ['13:30', '17:30']],
  wed: [['08:30', '12:00'], ['13:30', '17:30']],
  thu: [['08:30', '12:00'], ['13:30', '17:30']],
  fri: [['08:30', '12:00'], ['13:30', '16:30']],
};

export interface DemoDepartment {
  slug: string;
  name: string;
  parent?: string;
  email: string;
  phone: string;
  address: string;
  openingHours: OpeningHoursJson;
  isReception?: boolean;
}

export const DEMO_DEPARTMENTS: DemoDepartment[] = [
  {
    slug: 'accueil',
    name: 'Accueil',
    email: 'accueil@ville-de-demo.fr',
    phone: '+33261910000',
    address: 'Hôtel de ville, Place de la Mairie, 99100 Démo-sur-Loire',
    // The front desk also opens on Saturday morning, when most working people can come.
    openingHours: { ...WEEKDAYS, fri: [['08:30', '12:00'], ['13:30', '17:30']], sat: [['09:00', '12:00']] },
    isReception: true,
  },
  {
    slug: 'etat-civil',
    name: 'État civil',
    email: 'etat-civil@ville-de-demo.fr',
    phone: '+33261910010',
    address: 'Hôtel de ville, Place de la Mairie, 99100 Démo-sur-Loire',
    openingHours: WEEKDAYS,
  },
  {
    slug: 'voirie',
    name: 'Voirie et propreté',
    email: 'voirie@ville-de-demo.fr',
    phone: '+33261910020',
    address: 'Centre technique municipal, 4 rue du Moulin, 99100 Démo-sur-Loire',
    openingHours: {
      mon: [['08:00', '12:00'], ['13:30', '16:30']],
      tue: [['08:00', '12:00'], ['13:30', '16:30']],
      wed: [['08:00', '12:00'], ['13:30', '16:30']],
      thu: [['08:00', '12:00'], ['13:30', '16:30']],
      fri: [['08:00', '12:00']],
    },
  },
  {
    slug: 'proprete-urbaine',
    name: 'Propreté urbaine',
    parent: 'voirie',
    email: 'proprete@ville-de-demo.fr',
    phone: '+33261910021',
    address: 'Centre technique municipal, 4 rue du Moulin, 99100 Démo-sur-Loire',
    openingHours: {
      mon: [['07:00', '12:00']],
      tue: [['07:00', '12:00']],
      wed: [['07:00', '12:00']],
      thu: [['07:00', '12:00']],
      fri: [['07:00', '12:00']],
    },
  },
  {
    slug: 'education-enfance',
    name: 'Éducation et enfance',
    email: 'enfance@ville-de-demo.fr',
    phone: '+33261910030',
    address: 'Espace famille, 2 rue des Écoles, 99100 Démo-sur-Loire',
    openingHours: { ...WEEKDAYS, wed: [['08:30', '12:00']] },
  },
  {
    slug: 'urbanisme',
    name: 'Urbanisme',
    email: 'urbanisme@ville-de-demo.fr',
    phone: '+33261910040',
    address: 'Hôtel de ville, Place de la Mairie, 99100 Démo-sur-Loire',
    openingHours: {
      mon: [['08:30', '12:00']],
      tue: [['08:30', '12:00'], ['13:30', '17:30']],
      thu: [['08:30', '12:00'], ['13:30', '17:30']],
      fri: [['08:30', '12:00']],
    },
  },
  {
    slug: 'vie-associative',
    name: 'Vie associative',
    email: 'associations@ville-de-demo.fr',
    phone: '+33261910050',
    address: 'Maison des associations, 15 allée des Charmes, 99100 Démo-sur-Loire',
    openingHours: {
      tue: [['13:30', '18:00']],
      wed: [['09:00', '12:00'], ['13:30', '18:00']],
      thu: [['13:30', '18:00']],
      fri: [['09:00', '12:00']],
    },
  },
];

export type DemoRole = 'agent' | 'manager' | 'admin';

export interface DemoAgent {
  email: string;
  name: string;
  roles: { department: string; role: DemoRole }[];
}

export const DEMO_AGENTS: DemoAgent[] = [
  { email: 'claire.martin@ville-de-demo.fr', name: 'Claire Martin', roles: [{ department: 'accueil', role: 'admin' }] },
  { email: 'julien.moreau@ville-de-demo.fr', name: 'Julien Moreau', roles: [{ department: 'accueil', role: 'agent' }] },
  { email: 'sophie.bernard@ville-de-demo.fr', name: 'Sophie Bernard', roles: [{ department: 'etat-civil', role: 'manager' }] },
  { email: 'nathalie.petit@ville-de-demo.fr', name: 'Nathalie Petit', roles: [{ department: 'etat-civil', role: 'agent' }, { department: 'accueil', role: 'agent' }] },
  { email: 'thomas.dubois@ville-de-demo.fr', name: 'Thomas Dubois', roles: [{ department: 'voirie', role: 'manager' }, { department: 'proprete-urbaine', role: 'manager' }] },
  { email: 'karim.haddad@ville-de-demo.fr', name: 'Karim Haddad', roles: [{ department: 'voirie', role: 'agent' }] },
  { email: 'lucas.roux@ville-de-demo.fr', name: 'Lucas Roux', roles: [{ department: 'proprete-urbaine', role: 'agent' }] },
  { email: 'isabelle.fournier@ville-de-demo.fr', name: 'Isabelle Fournier', roles: [{ department: 'education-enfance', role: 'manager' }] },
  { email: 'emilie.girard@ville-de-demo.fr', name: 'Émilie Girard', roles: [{ department: 'education-enfance', role: 'agent' }] },
  { email: 'marc.lefebvre@ville-de-demo.fr', name: 'Marc Lefebvre', roles: [{ department: 'urbanisme', role: 'manager' }] },
  { email: 'aurelie.lambert@ville-de-demo.fr', name: 'Aurélie Lambert', roles: [{ department: 'vie-associative', role: 'manager' }, { department: 'accueil', role: 'agent' }] },
];
