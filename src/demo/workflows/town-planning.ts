/**
 * Town planning. Occupying the public domain is an authorisation with an implicit rejection
 * after two months of silence: a request for more information suspends that delay, and the
 * municipal police may be asked for its opinion on traffic and pedestrian safety before the
 * decision (an order, « arrêté », issued as a PDF). The street-numbering certificate is checked
 * against the land register, then issued with the certified address.
 */
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { APPEAL, askForPieces, frenchDate, notify, refusal, reopen, STAFF } from './common.js';

const PERIOD = `{% if case.data.dateDebut == case.data.dateFin %}le ${frenchDate('case.data.dateDebut')}{% else %}du ${frenchDate('case.data.dateDebut')} au ${frenchDate('case.data.dateFin')}{% endif %}`;
const SIGNED = 'Pour le maire et par délégation,\n{% if agent %}{{ agent.name }}{% else %}le service {{ department.name }}{% endif %}';

export const PUBLIC_DOMAIN_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'recue',
  statuses: [
    { id: 'recue', label: 'Reçue', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'instruction', label: 'En instruction', citizenLabel: 'En cours d’instruction', category: 'in_progress' },
    {
      id: 'attente_complements',
      label: 'Compléments demandés',
      citizenLabel: 'En attente de vos compléments',
      category: 'waiting_citizen',
      timers: [{ after: { value: 30, unit: 'calendar_days' }, transition: 'classer_sans_suite' }],
      onCitizenReply: 'complements_recus',
    },
    { id: 'avis_police', label: 'Avis de la police municipale demandé', citizenLabel: 'En cours d’instruction', category: 'waiting_third_party' },
    { id: 'autorisee', label: 'Autorisée (arrêté pris)', citizenLabel: 'Autorisation accordée', category: 'closed_accepted' },
    { id: 'refusee', label: 'Refusée', citizenLabel: 'Autorisation refusée', category: 'closed_refused' },
    { id: 'sans_suite', label: 'Classée sans suite', citizenLabel: 'Demande classée sans suite', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'instruire', label: 'Commencer l’instruction', from: ['recue'], to: 'instruction', roles: STAFF },
    askForPieces('demander_complements', {
      label: 'Demander des compléments',
      from: ['recue', 'instruction'],
      to: 'attente_complements',
      subject: 'Des compléments sont nécessaires à votre demande d’occupation du domaine public',
      lead: 'Pour instruire votre demande « {{ case.subject }} », nous avons besoin des éléments suivants :',
      consequence: 'Le délai d’instruction est suspendu jusqu’à leur réception. Sans réponse de votre part à cette date, la demande sera classée sans suite.',
      replyWithin: { value: 30, unit: 'calendar_days' },
      silence: 'suspend',
    }),
    { name: 'complements_recus', label: 'Compléments reçus', from: ['attente_complements'], to: 'instruction', roles: STAFF },
    { name: 'demander_avis_police', label: 'Demander l’avis de la police municipale', from: ['instruction'], to: 'avis_police', roles: STAFF },
    {
      name: 'avis_police_recu',
      label: 'Enregistrer l’avis de la police municipale',
      from: ['avis_police'],
      to: 'instruction',
      roles: STAFF,
      inputs: [{ name: 'avis', label: 'Avis et prescriptions de la police municipale', type: 'textarea', required: true }],
    },
    {
      name: 'autoriser',
      label: 'Autoriser (prendre l’arrêté)',
      from: ['recue', 'instruction'],
      to: 'autorisee',
      roles: STAFF,
      inputs: [{ name: 'prescriptions', label: 'Prescriptions (signalisation, cheminement piéton, horaires…)', type: 'textarea' }],
      actions: [
        {
          type: 'generate_document',
          title: 'Arrêté d’autorisation d’occupation temporaire du domaine public',
          filename: 'arrete-occupation-domaine-public.pdf',
          body: [
            '{{ organisation.name }}',
            'ARRÊTÉ PORTANT AUTORISATION D’OCCUPATION TEMPORAIRE DU DOMAINE PUBLIC',
            'Le maire, vu le code général de la propriété des personnes publiques, vu le code de la voirie routière, vu la demande n° {{ case.reference }} reçue le {{ case.receivedOn }},',
            'ARRÊTE',
            `Article 1 – {% if case.data.raisonSociale %}{{ case.data.raisonSociale }}{% elsif citizen %}{{ citizen.fullName }}{% else %}Le demandeur{% endif %} est autorisé(e) à occuper le domaine public ${PERIOD} pour : {{ case.subject }}.{% if case.data.surface %} Emprise au sol : {{ case.data.surface }} m².{% endif %}{% if case.data.nombrePlaces %} Places de stationnement neutralisées : {{ case.data.nombrePlaces }}.{% endif %}`,
            'Article 2 – Le bénéficiaire met en place la signalisation réglementaire et maintient un cheminement piéton d’au moins 1,40 m.{% if inputs.prescriptions %} Prescriptions particulières : {{ inputs.prescriptions }}{% endif %}',
            'Article 3 – La présente autorisation est personnelle, précaire et révocable. Elle donne lieu au paiement de la redevance d’occupation fixée par le conseil municipal.',
            APPEAL,
            SIGNED,
          ].join('\n\n'),
        },
        notify(
          'Votre autorisation d’occupation du domaine public',
          `Votre demande « {{ case.subject }} » ${PERIOD} est autorisée. L’arrêté est joint à votre dossier : il doit pouvoir être présenté sur place pendant toute l’occupation.`,
          '{% if inputs.prescriptions %}Prescriptions particulières : {{ inputs.prescriptions }}{% endif %}',
        ),
      ],
    },
    refusal(
      'refuser',
      'Refuser',
      ['recue', 'instruction', 'avis_police', 'attente_complements'],
      'refusee',
      'Votre demande d’occupation du domaine public',
      `Nous ne pouvons pas autoriser l’occupation demandée, « {{ case.subject }} », ${PERIOD}.`,
    ),
    {
      name: 'classer_sans_suite',
      label: 'Classer sans suite',
      from: ['recue', 'instruction', 'attente_complements'],
      to: 'sans_suite',
      roles: STAFF,
      actions: [
        notify(
          'Votre demande d’occupation du domaine public',
          'Votre demande « {{ case.subject }} » est classée sans suite : les compléments demandés ne nous sont pas parvenus, ou vous nous avez fait savoir que vous y renonciez.',
          'Sans autorisation, aucune installation ne peut être faite sur le domaine public.',
        ),
      ],
    },
    reopen(['autorisee', 'refusee', 'sans_suite'], 'instruction'),
  ],
};

export const NUMBERING_CERTIFICATE_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'recue',
  statuses: [
    { id: 'recue', label: 'Reçue', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'verification', label: 'Vérification cadastrale', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    { id: 'attente_pieces', label: 'En attente de pièces', citizenLabel: 'En attente de votre réponse', category: 'waiting_citizen', onCitizenReply: 'pieces_recues' },
    { id: 'delivre', label: 'Certificat délivré', citizenLabel: 'Certificat délivré', category: 'closed_accepted' },
    { id: 'refuse', label: 'Refusé', citizenLabel: 'Demande refusée', category: 'closed_refused' },
    { id: 'sans_suite', label: 'Classée sans suite', citizenLabel: 'Demande classée sans suite', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'verifier', label: 'Vérifier au cadastre', from: ['recue'], to: 'verification', roles: STAFF },
    askForPieces('demander_pieces', {
      label: 'Demander une pièce (plan, permis…)',
      from: ['recue', 'verification'],
      to: 'attente_pieces',
      subject: 'Une pièce manque à votre demande de certificat de numérotage',
      lead: 'Pour établir le certificat de numérotage de la parcelle {{ case.data.referenceCadastrale }}, nous avons besoin des éléments suivants :',
      consequence: 'Sans réponse de votre part à cette date, la demande pourra être classée sans suite.',
      replyWithin: { value: 15, unit: 'calendar_days' },
    }),
    { name: 'pieces_recues', label: 'Pièces reçues', from: ['attente_pieces'], to: 'verification', roles: STAFF },
    {
      name: 'delivrer',
      label: 'Délivrer le certificat',
      from: ['recue', 'verification'],
      to: 'delivre',
      roles: STAFF,
      inputs: [{ name: 'adresseCertifiee', label: 'Adresse certifiée (numéro et voie)', type: 'text', required: true }],
      actions: [
        {
          type: 'generate_document',
          title: 'Certificat de numérotage',
          filename: 'certificat-numerotage.pdf',
          body: [
            '{{ organisation.name }} – Service {{ department.name }}',
            'CERTIFICAT DE NUMÉROTAGE',
            'Le maire certifie que la parcelle cadastrée {{ case.data.referenceCadastrale }}{% if case.data.numeroPermis %}, objet du permis de construire {{ case.data.numeroPermis }},{% endif %} a pour adresse :',
            '{{ inputs.adresseCertifiee }}',
            'Délivré pour la demande n° {{ case.reference }} reçue le {{ case.receivedOn }}, pour servir et valoir ce que de droit. Le numéro doit être apposé de façon visible depuis la voie publique.',
            SIGNED,
          ].join('\n\n'),
        },
        notify(
          'Votre certificat de numérotage',
          'Le certificat de numérotage de la parcelle {{ case.data.referenceCadastrale }} est établi. Adresse certifiée : {{ inputs.adresseCertifiee }}.',
          '{% if case.data.delivrance == \'courrier\' %}Il vous est également envoyé par courrier.{% else %}Il est joint à votre dossier.{% endif %}',
        ),
      ],
    },
    refusal('refuser', 'Refuser', ['recue', 'verification', 'attente_pieces'], 'refuse', 'Votre demande de certificat de numérotage', 'Nous ne pouvons pas délivrer le certificat de numérotage demandé pour la parcelle {{ case.data.referenceCadastrale }}.'),
    {
      name: 'classer_sans_suite',
      label: 'Classer sans suite',
      from: ['recue', 'verification', 'attente_pieces'],
      to: 'sans_suite',
      roles: STAFF,
      inputs: [{ name: 'motif', label: 'Motif (note interne)', type: 'textarea' }],
      actions: [
        notify(
          'Votre demande de certificat de numérotage',
          'Votre demande concernant la parcelle {{ case.data.referenceCadastrale }} est classée sans suite : les pièces demandées ne nous sont pas parvenues, ou vous nous avez fait savoir que vous y renonciez.',
        ),
      ],
    },
    reopen(['delivre', 'refuse', 'sans_suite'], 'verification'),
  ],
};
