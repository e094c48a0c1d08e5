/**
 * Routing rules of the demo commune, showing both kinds of rule: a condition on form answers
 * (illegal dumping and tags go to the street-cleaning team, the contact form follows the service
 * the citizen names) and a geographic sector (the "Quartier des Tilleuls").
 */
import type { Condition } from '../procedures/form/definition.js';
import type { SectorGeometry } from '../routing/rules.js';
import { TILLEULS_SECTOR } from './commune-data.js';

export interface DemoRoutingRule {
  /** Slug of the procedure the rule belongs to; null for an organisation-wide rule. */
  procedure: string | null;
  position: number;
  name: string;
  condition: Condition | null;
  sector: SectorGeometry | null;
  department: string;
}

const contactRule = (position: number, service: string, label: string, department: string): DemoRoutingRule => ({
  procedure: 'contact', position, name: `Contact – ${label}`, condition: { field: 'service', op: 'eq', value: service }, sector: null, department,
});

export const DEMO_ROUTING_RULES: DemoRoutingRule[] = [
  {
    procedure: 'signalement-voirie',
    position: 1,
    name: 'Dépôts sauvages et tags → Propreté urbaine',
    condition: { field: 'categorie', op: 'in', value: ['depot_sauvage', 'tag'] },
    sector: null,
    department: 'proprete-urbaine',
  },
  {
    procedure: 'signalement-voirie',
    position: 2,
    name: 'Quartier des Tilleuls (secteur en travaux) → Voirie et propreté',
    condition: null,
    sector: TILLEULS_SECTOR,
    department: 'voirie',
  },
  contactRule(1, 'etat_civil', 'état civil → État civil', 'etat-civil'),
  contactRule(2, 'voirie', 'voirie et propreté → Voirie et propreté', 'voirie'),
  contactRule(3, 'enfance', 'écoles et périscolaire → Éducation et enfance', 'education-enfance'),
  contactRule(4, 'urbanisme', 'urbanisme → Urbanisme', 'urbanisme'),
  contactRule(5, 'associations', 'associations et salles → Vie associative', 'vie-associative'),
];
