/**
 * The workflow of each demo procedure, by procedure slug: published as version 1 when the demo
 * commune is created, and followed by the historical cases the demo generates.
 */
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { AFTER_SCHOOL_ENROLMENT_WORKFLOW, SCHOOL_ENROLMENT_WORKFLOW } from './childhood.js';
import { CENSUS_WORKFLOW, CONTACT_WORKFLOW, IDENTITY_APPOINTMENT_WORKFLOW } from './citizenship.js';
import { civilStatusWorkflow } from './civil-status.js';
import { ROOM_BOOKING_WORKFLOW } from './room-booking.js';
import { STREET_REPORT_WORKFLOW } from './street-reports.js';
import { NUMBERING_CERTIFICATE_WORKFLOW, PUBLIC_DOMAIN_WORKFLOW } from './town-planning.js';

export const DEMO_WORKFLOWS: Record<string, WorkflowDefinition> = {
  'acte-naissance': civilStatusWorkflow('naissance'),
  'acte-mariage': civilStatusWorkflow('mariage'),
  'acte-deces': civilStatusWorkflow('deces'),
  'signalement-voirie': STREET_REPORT_WORKFLOW,
  'occupation-domaine-public': PUBLIC_DOMAIN_WORKFLOW,
  'certificat-numerotage': NUMBERING_CERTIFICATE_WORKFLOW,
  'inscription-scolaire': SCHOOL_ENROLMENT_WORKFLOW,
  'inscription-periscolaire': AFTER_SCHOOL_ENROLMENT_WORKFLOW,
  'rendez-vous-titre-identite': IDENTITY_APPOINTMENT_WORKFLOW,
  'recensement-citoyen': CENSUS_WORKFLOW,
  contact: CONTACT_WORKFLOW,
  'reservation-salle': ROOM_BOOKING_WORKFLOW,
};
