/** The twelve procedures of the demo commune, grouped by theme in the files of this folder. */
import { ROOM_BOOKING } from './associations.js';
import { CHILDHOOD_PROCEDURES } from './childhood.js';
import { CITIZENSHIP_PROCEDURES } from './citizenship.js';
import { CIVIL_STATUS_PROCEDURES } from './civil-status.js';
import { STREET_REPORT } from './street-reports.js';
import { TOWN_PLANNING_PROCEDURES } from './town-planning.js';
import type { DemoProcedure } from './types.js';

export type { DemoProcedure, Outcome, SampleContext } from './types.js';

export const DEMO_PROCEDURES: readonly DemoProcedure[] = [
  ...CIVIL_STATUS_PROCEDURES,
  STREET_REPORT,
  ...TOWN_PLANNING_PROCEDURES,
  ...CHILDHOOD_PROCEDURES,
  ...CITIZENSHIP_PROCEDURES,
  ROOM_BOOKING,
];

export function demoProcedure(slug: string): DemoProcedure | undefined {
  return DEMO_PROCEDURES.find((p) => p.procedure.slug === slug);
}
