/**
 * Booking a municipal room: the associations department checks the room is free and asks for the
 * insurance certificate when needed, then accepts with a written agreement or refuses with a
 * reason. Silence for a month means acceptance: the pieces request suspends that delay. The
 * requester may cancel the booking themselves.
 */
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { askForPieces, frenchDate, notify, refusal, reopen, STAFF } from './common.js';

const WHEN = `le ${frenchDate('case.data.date')}`;

export const ROOM_BOOKING_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'demandee',
  statuses: [
    { id: 'demandee', label: 'Demandée', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'etude', label: 'Disponibilité en cours de vérification', citizenLabel: 'En cours d’étude', category: 'in_progress' },
    { id: 'attente_pieces', label: 'En attente de pièces', citizenLabel: 'En attente de votre réponse', category: 'waiting_citizen', onCitizenReply: 'pieces_recues' },
    { id: 'acceptee', label: 'Acceptée', citizenLabel: 'Réservation acceptée', category: 'closed_accepted' },
    { id: 'refusee', label: 'Refusée', citizenLabel: 'Réservation refusée', category: 'closed_refused' },
    { id: 'annulee', label: 'Annulée', citizenLabel: 'Réservation annulée', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'etudier', label: 'Vérifier la disponibilité', from: ['demandee'], to: 'etude', roles: STAFF },
    {
      name: 'accepter',
      label: 'Accepter la réservation',
      from: ['demandee', 'etude'],
      to: 'acceptee',
      roles: STAFF,
      inputs: [{ name: 'conditions', label: 'Conditions particulières (remise des clés, état des lieux…)', type: 'textarea' }],
      actions: [
        {
          type: 'generate_document',
          title: 'Convention de mise à disposition d’une salle municipale',
          filename: 'convention-mise-a-disposition.pdf',
          body: [
            '{{ organisation.name }} – Service {{ department.name }}',
            'CONVENTION DE MISE À DISPOSITION D’UNE SALLE MUNICIPALE',
            'Demande n° {{ case.reference }} : {{ case.subject }}',
            '{% if case.data.nomStructure %}Bénéficiaire : {{ case.data.nomStructure }}{% if citizen %}, représenté(e) par {{ citizen.fullName }}{% endif %}{% elsif citizen %}Bénéficiaire : {{ citizen.fullName }}{% endif %}',
            `La commune met la salle demandée à la disposition du bénéficiaire ${WHEN}, pour {{ case.data.nombrePersonnes }} personnes au plus.`,
            '{% if inputs.conditions %}Conditions particulières : {{ inputs.conditions }}{% endif %}',
            'Le bénéficiaire s’engage à respecter le règlement intérieur de la salle, à la rendre propre et rangée, et à signaler sans délai tout dommage. Une buvette ouverte au public demande une autorisation temporaire de débit de boissons.',
            'Pour le maire et par délégation,\n{% if agent %}{{ agent.name }}{% else %}le service {{ department.name }}{% endif %}',
          ].join('\n\n'),
        },
        notify(
          'Votre réservation de salle est acceptée',
          `Votre réservation « {{ case.subject }} » ${WHEN} est acceptée.`,
          'La convention de mise à disposition est jointe à votre dossier.{% if inputs.conditions %} Conditions particulières : {{ inputs.conditions }}{% endif %}',
        ),
      ],
    },
    askForPieces('demander_pieces', {
      label: 'Demander une pièce (attestation d’assurance…)',
      from: ['demandee', 'etude'],
      to: 'attente_pieces',
      subject: 'Une pièce manque à votre réservation de salle',
      lead: `Pour confirmer votre réservation « {{ case.subject }} » ${WHEN}, nous avons besoin des éléments suivants :`,
      consequence: 'Sans ces éléments, nous ne pourrons pas confirmer la réservation.',
      replyWithin: { value: 10, unit: 'calendar_days' },
      silence: 'suspend',
    }),
    { name: 'pieces_recues', label: 'Pièces reçues', from: ['attente_pieces'], to: 'etude', roles: STAFF },
    refusal('refuser', 'Refuser la réservation', ['demandee', 'etude', 'attente_pieces'], 'refusee', 'Votre réservation de salle', `Nous ne pouvons pas accepter votre réservation « {{ case.subject }} » ${WHEN}.`),
    {
      name: 'annuler',
      label: 'Annuler la réservation',
      from: ['demandee', 'etude', 'attente_pieces'],
      to: 'annulee',
      roles: [...STAFF, 'citizen'],
      actions: [notify('Annulation de votre réservation de salle', `Votre réservation « {{ case.subject }} » ${WHEN} est annulée.`)],
    },
    reopen(['acceptee', 'refusee', 'annulee'], 'etude'),
  ],
};
