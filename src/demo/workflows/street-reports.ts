/**
 * Street reports: the technical department qualifies the report (is it real, whose job is it),
 * schedules an intervention, then closes once the team has fixed it. Reports already made by
 * someone else are closed as duplicates; those about roads or networks the commune does not
 * manage are redirected. A report left unqualified for five working days alerts the managers.
 */
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { frenchDate, notify, reasonInput, reopen, STAFF } from './common.js';

export const STREET_REPORT_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    {
      id: 'recu',
      label: 'Reçu, à qualifier',
      citizenLabel: 'Signalement reçu',
      category: 'new',
      timers: [{ after: { value: 5, unit: 'business_days' }, escalate: 'managers' }],
    },
    { id: 'qualifie', label: 'Qualifié, intervention à programmer', citizenLabel: 'Signalement pris en compte', category: 'in_progress' },
    { id: 'intervention_planifiee', label: 'Intervention planifiée', citizenLabel: 'Intervention programmée', category: 'in_progress' },
    { id: 'resolu', label: 'Résolu, à clôturer', citizenLabel: 'Problème résolu', category: 'in_progress' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Signalement traité', category: 'closed_accepted' },
    { id: 'doublon', label: 'Doublon', citizenLabel: 'Déjà signalé', category: 'closed_without_action' },
    { id: 'hors_competence', label: 'Hors compétence communale', citizenLabel: 'Ne relève pas de la commune', category: 'closed_refused' },
  ],
  transitions: [
    { name: 'qualifier', label: 'Qualifier le signalement', from: ['recu'], to: 'qualifie', roles: STAFF },
    {
      name: 'transferer_proprete',
      label: 'Confier à l’équipe Propreté urbaine',
      from: ['recu'],
      to: 'recu',
      roles: STAFF,
      actions: [{ type: 'assign', department: 'proprete-urbaine' }],
    },
    {
      name: 'transferer_voirie',
      label: 'Confier au service Voirie et propreté',
      from: ['recu'],
      to: 'recu',
      roles: STAFF,
      actions: [{ type: 'assign', department: 'voirie' }],
    },
    {
      name: 'planifier',
      label: 'Planifier l’intervention',
      from: ['qualifie'],
      to: 'intervention_planifiee',
      roles: STAFF,
      inputs: [{ name: 'datePrevue', label: 'Date prévue de l’intervention', type: 'date', required: true }],
      actions: [
        notify(
          'Intervention programmée suite à votre signalement',
          'Merci pour votre signalement « {{ case.subject }} ».',
          `Nos équipes interviendront le ${frenchDate('inputs.datePrevue')}, sauf intempéries ou urgence sur un autre chantier.`,
        ),
      ],
    },
    {
      name: 'replanifier',
      label: 'Changer la date d’intervention',
      from: ['intervention_planifiee'],
      to: 'intervention_planifiee',
      roles: STAFF,
      inputs: [{ name: 'datePrevue', label: 'Nouvelle date prévue', type: 'date', required: true }],
      actions: [
        notify(
          'Nouvelle date d’intervention',
          'L’intervention prévue suite à votre signalement « {{ case.subject }} » a dû être déplacée.',
          `Nos équipes interviendront le ${frenchDate('inputs.datePrevue')}. Veuillez nous excuser pour ce contretemps.`,
        ),
      ],
    },
    {
      name: 'resoudre',
      label: 'Indiquer que le problème est résolu',
      from: ['qualifie', 'intervention_planifiee'],
      to: 'resolu',
      roles: STAFF,
      inputs: [{ name: 'compteRendu', label: 'Compte rendu de l’intervention (note interne)', type: 'textarea' }],
    },
    {
      name: 'clore',
      label: 'Clore le signalement',
      from: ['resolu'],
      to: 'clos',
      roles: STAFF,
      actions: [
        notify(
          'Votre signalement a été traité',
          'Le problème que vous nous avez signalé, « {{ case.subject }} », a été traité par nos équipes.',
          'Merci d’avoir contribué à l’entretien de l’espace public. Si le problème réapparaît, n’hésitez pas à nous le signaler de nouveau.',
        ),
      ],
    },
    {
      name: 'classer_doublon',
      label: 'Classer comme doublon',
      from: ['recu', 'qualifie'],
      to: 'doublon',
      roles: STAFF,
      inputs: [reasonInput('Signalement déjà enregistré (numéro ou description), tel qu’il sera communiqué au demandeur')],
      actions: [
        notify(
          'Votre signalement',
          'Merci pour votre signalement « {{ case.subject }} ». Ce problème nous avait déjà été signalé et son traitement est en cours :',
          '{{ inputs.motif }}',
        ),
      ],
    },
    {
      name: 'reorienter',
      label: 'Hors compétence : réorienter',
      from: ['recu', 'qualifie'],
      to: 'hors_competence',
      roles: STAFF,
      inputs: [reasonInput('Organisme compétent et raison, tels qu’ils seront communiqués au demandeur')],
      actions: [
        notify(
          'Votre signalement',
          'Merci pour votre signalement « {{ case.subject }} ». Ce problème ne relève pas des services de la commune :',
          '{{ inputs.motif }}',
        ),
      ],
    },
    reopen(['clos', 'doublon', 'hors_competence'], 'qualifie'),
  ],
};
