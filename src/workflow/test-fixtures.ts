/**
 * A realistic workflow (a birth certificate request) shared by the workflow tests, with the
 * organisation and form it is checked against.
 */
import type { WorkflowDefinition } from './definition.js';
import type { TemplateVariables } from './templates.js';

export const DEPARTMENTS = ['etat-civil', 'accueil'] as const;
export const AGENTS = ['claire.martin@mairie.example', 'paul.durand@mairie.example'] as const;
export const FORM_FIELDS = ['acteType', 'dateNaissance', 'nomNaissance', 'motif', 'urgent'] as const;
export const CONTEXT = { departmentSlugs: DEPARTMENTS, agentEmails: AGENTS, formFieldNames: FORM_FIELDS };

/** A deep copy, to mutate freely in a test. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export const birthCertificate: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    {
      id: 'recu', label: 'Reçu', citizenLabel: 'Demande reçue', category: 'new',
      onEnter: [
        { type: 'assign', department: 'etat-civil' },
        {
          type: 'notify_citizen',
          message: {
            subject: 'Votre demande {{ case.reference }} a bien été reçue',
            body: 'Bonjour {{ citizen.fullName | default: "Madame, Monsieur" }},\n\nNous avons reçu le {{ case.receivedOn }} votre demande « {{ procedure.title }} » ({{ case.data.acteType }}).\nSuivez-la ici : {{ case.trackingUrl }}\n\n{{ department.name }}\n{{ organisation.name }}',
          },
        },
      ],
      timers: [{ after: { value: 3, unit: 'business_days' }, escalate: 'managers' }],
    },
    { id: 'en_instruction', label: 'En instruction', citizenLabel: 'En cours de traitement', category: 'in_progress', timers: [{ after: { value: 10, unit: 'business_days' }, escalate: 'managers' }] },
    {
      id: 'attente_usager', label: 'En attente de pièces', citizenLabel: 'En attente de votre réponse', category: 'waiting_citizen',
      timers: [{ after: { value: 30, unit: 'calendar_days' }, transition: 'classer_sans_reponse' }],
    },
    {
      id: 'delivre', label: 'Acte délivré', citizenLabel: 'Acte délivré', category: 'closed_accepted',
      onEnter: [
        { type: 'generate_document', title: 'Lettre d’envoi', filename: 'lettre-envoi.pdf', body: '{{ organisation.name }}\n\n{% if citizen %}{{ citizen.civility }} {{ citizen.lastName }}{% endif %}\n\nVeuillez trouver ci-joint l’acte demandé le {{ case.receivedAt | date_fr }}.\n\n{{ agent.name }}' },
        { type: 'webhook', url: 'https://registre.example/hooks/guichet' },
      ],
    },
    { id: 'refuse', label: 'Refusé', citizenLabel: 'Demande refusée', category: 'closed_refused' },
    { id: 'sans_suite', label: 'Classé sans suite', citizenLabel: 'Demande close', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'prendre_en_charge', label: 'Prendre en charge', from: ['recu'], to: 'en_instruction', roles: ['agent', 'manager'], actions: [{ type: 'assign', agent: 'claire.martin@mairie.example' }] },
    {
      name: 'demander_pieces', label: 'Demander des pièces', from: ['en_instruction'], to: 'attente_usager', roles: ['agent'],
      inputs: [{ name: 'pieces', label: 'Pièces manquantes', type: 'textarea', required: true }],
      actions: [{
        type: 'request_information', replyWithin: { value: 30, unit: 'calendar_days' }, incompleteFile: true,
        message: { subject: 'Pièces manquantes — dossier {{ case.reference }}', body: 'Merci de nous transmettre avant le {{ replyBy }} :\n{{ inputs.pieces }}' },
      }],
    },
    { name: 'pieces_recues', label: 'Pièces reçues', from: ['attente_usager'], to: 'en_instruction', roles: ['agent', 'citizen'] },
    { name: 'classer_sans_reponse', label: 'Classer sans réponse', from: ['attente_usager'], to: 'sans_suite', roles: [] },
    {
      name: 'delivrer', label: 'Délivrer l’acte', from: ['en_instruction'], to: 'delivre', roles: ['agent', 'manager'],
      condition: { field: 'acteType', op: 'filled' },
      actions: [
        { type: 'set_label', label: 'Délivré' },
        { type: 'notify_citizen', message: { subject: 'Votre acte est disponible', body: 'Bonjour,\nVotre acte ({{ case.data.acteType }}) vous a été envoyé.\n{{ agent.name }}, {{ department.name }}' } },
      ],
    },
    {
      name: 'refuser', label: 'Refuser', from: ['en_instruction', 'attente_usager'], to: 'refuse', roles: ['manager'],
      inputs: [
        { name: 'motif', label: 'Motif du refus', type: 'select', required: true, options: [{ value: 'hors_commune', label: 'Naissance hors commune' }, { value: 'non_habilite', label: 'Demandeur non habilité' }] },
        { name: 'precision', label: 'Précision', type: 'text' },
      ],
      actions: [{ type: 'notify_citizen', message: { subject: 'Votre demande {{ case.reference }}', body: 'Votre demande est refusée : {{ inputs.motif }}. {{ inputs.precision }}' } }],
    },
    { name: 'prolonger', label: 'Prolonger le délai', from: ['en_instruction'], to: 'en_instruction', roles: ['manager'], actions: [{ type: 'set_due', extendBy: { value: 5, unit: 'business_days' } }] },
    { name: 'abandonner', label: 'Classer sans suite', from: ['*'], to: 'sans_suite', roles: ['agent', 'manager', 'citizen'] },
  ],
};

/** Values a template of `birthCertificate` is rendered with. */
export const sampleVariables: TemplateVariables = {
  organisation: { name: 'Mairie de Saint-Rémy' },
  case: {
    reference: '2026-000123',
    trackingCode: 'K7P-2QX',
    subject: 'Acte de naissance',
    receivedAt: '2026-03-12T09:30:00.000Z',
    receivedOn: '12 mars 2026',
    dueOn: '26 mars 2026',
    implicitDecisionOn: null,
    status: 'En cours de traitement',
    trackingUrl: 'https://guichet.example/suivi/K7P-2QX',
    data: { acteType: 'copie intégrale', dateNaissance: '1990-05-04', urgent: true },
  },
  citizen: { civility: 'Madame', firstNames: 'Léa', lastName: 'Moreau', fullName: 'Léa Moreau', email: 'lea@example.org', phone: null },
  procedure: { title: 'Demande d’acte de naissance', slug: 'acte-naissance' },
  department: { name: 'État civil', email: 'etat-civil@mairie.example', phone: '01 23 45 67 89', address: null },
  inputs: { motif: 'hors_commune' },
  agent: { name: 'Claire Martin' },
  replyBy: '11 avril 2026',
};
