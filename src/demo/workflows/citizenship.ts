/**
 * Everyday citizen procedures: the identity-document appointment (the town hall gives a slot,
 * then records that the application was lodged at the counter), the census at sixteen (the
 * certificate is issued once identity and nationality are checked) and the contact form (an
 * answer, then closing once the citizen has nothing to add).
 */
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { askForPieces, frenchDate, notify, reasonInput, refusal, reopen, STAFF } from './common.js';

const SLOT_INPUTS = [
  { name: 'dateRendezVous', label: 'Date du rendez-vous', type: 'date' as const, required: true },
  { name: 'heureRendezVous', label: 'Heure du rendez-vous (par exemple 9 h 30)', type: 'text' as const, required: true },
];
const SLOT = `au ${frenchDate('inputs.dateRendezVous')}, à {{ inputs.heureRendezVous }}`;
const WHAT_TO_BRING = [
  'Présentez-vous au guichet du service {{ department.name }}{% if department.address %} ({{ department.address }}){% endif %} avec :',
  '- votre numéro de pré-demande ANTS{% if case.data.numeroPreDemande %} ({{ case.data.numeroPreDemande }}){% endif %} ;',
  '- une photo d’identité de moins de six mois ;',
  '- un justificatif de domicile de moins d’un an ;',
  '- votre ancien titre, ou la déclaration de perte ou de vol.',
  '{% if case.data.mineur %}Le mineur doit être présent, accompagné d’un parent ou de son tuteur.{% endif %}',
].join('\n');

export const IDENTITY_APPOINTMENT_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'demande',
  statuses: [
    { id: 'demande', label: 'Rendez-vous à fixer', citizenLabel: 'Demande de rendez-vous reçue', category: 'new' },
    { id: 'rendez_vous_fixe', label: 'Rendez-vous fixé', citizenLabel: 'Rendez-vous confirmé', category: 'waiting_citizen' },
    { id: 'depose', label: 'Dossier déposé', citizenLabel: 'Demande de titre déposée', category: 'closed_accepted' },
    { id: 'refusee', label: 'Non recevable', citizenLabel: 'Demande non recevable', category: 'closed_refused' },
    { id: 'annule', label: 'Annulé', citizenLabel: 'Rendez-vous annulé', category: 'closed_without_action' },
    { id: 'non_honore', label: 'Absent au rendez-vous', citizenLabel: 'Rendez-vous non honoré', category: 'closed_without_action' },
  ],
  transitions: [
    {
      name: 'fixer_rendez_vous',
      label: 'Fixer le rendez-vous',
      from: ['demande'],
      to: 'rendez_vous_fixe',
      roles: STAFF,
      inputs: SLOT_INPUTS,
      actions: [notify('Votre rendez-vous pour une carte d’identité ou un passeport', `Votre rendez-vous est fixé ${SLOT}.`, WHAT_TO_BRING)],
    },
    {
      name: 'deplacer_rendez_vous',
      label: 'Déplacer le rendez-vous',
      from: ['rendez_vous_fixe'],
      to: 'rendez_vous_fixe',
      roles: STAFF,
      inputs: SLOT_INPUTS,
      actions: [notify('Nouvelle date pour votre rendez-vous', `Votre rendez-vous est déplacé ${SLOT}.`, WHAT_TO_BRING)],
    },
    {
      name: 'enregistrer_depot',
      label: 'Dossier déposé au rendez-vous',
      from: ['rendez_vous_fixe'],
      to: 'depose',
      roles: STAFF,
      actions: [
        notify(
          'Votre demande de titre est déposée',
          'Votre demande de carte d’identité ou de passeport a bien été déposée et transmise au centre d’instruction.',
          'Vous recevrez un SMS ou un courriel lorsque votre titre sera disponible : il vous sera alors remis au guichet, en personne.',
        ),
      ],
    },
    { name: 'constater_absence', label: 'Constater l’absence au rendez-vous', from: ['rendez_vous_fixe'], to: 'non_honore', roles: STAFF },
    {
      name: 'annuler',
      label: 'Annuler le rendez-vous',
      from: ['demande', 'rendez_vous_fixe'],
      to: 'annule',
      roles: [...STAFF, 'citizen'],
      actions: [notify('Annulation de votre rendez-vous', 'Votre demande de rendez-vous pour une carte d’identité ou un passeport est annulée.', 'Vous pouvez en demander un nouveau à tout moment.')],
    },
    refusal('refuser', 'Déclarer la demande non recevable', ['demande'], 'refusee', 'Votre demande de rendez-vous', 'Nous ne pouvons pas donner suite à votre demande de rendez-vous.'),
    reopen(['depose', 'refusee', 'annule', 'non_honore'], 'demande'),
  ],
};

export const CENSUS_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'recue',
  statuses: [
    { id: 'recue', label: 'Reçue, à vérifier', citizenLabel: 'Demande reçue', category: 'new' },
    { id: 'verification', label: 'Vérification en cours', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    {
      id: 'attente_pieces',
      label: 'En attente de pièces',
      citizenLabel: 'En attente de votre réponse',
      category: 'waiting_citizen',
      timers: [{ after: { value: 45, unit: 'calendar_days' }, transition: 'classer_sans_suite' }],
      onCitizenReply: 'pieces_recues',
    },
    { id: 'attestation_delivree', label: 'Attestation délivrée', citizenLabel: 'Attestation de recensement délivrée', category: 'closed_accepted' },
    { id: 'refusee', label: 'Refusée', citizenLabel: 'Demande refusée', category: 'closed_refused' },
    { id: 'classee', label: 'Classée sans suite', citizenLabel: 'Demande classée sans suite', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'verifier', label: 'Commencer la vérification', from: ['recue'], to: 'verification', roles: STAFF },
    askForPieces('demander_pieces', {
      label: 'Demander une pièce manquante',
      from: ['recue', 'verification'],
      to: 'attente_pieces',
      subject: 'Une pièce manque au recensement',
      lead: 'Pour recenser {{ case.data.prenoms }} {{ case.data.nom }}, nous avons besoin des éléments suivants (une pièce d’identité justifiant de la nationalité française et le livret de famille, en général) :',
      consequence: 'Sans réponse de votre part à cette date, la demande sera classée sans suite ; le recensement resterait alors à faire.',
      replyWithin: { value: 30, unit: 'calendar_days' },
    }),
    { name: 'pieces_recues', label: 'Pièces reçues, reprendre la vérification', from: ['attente_pieces'], to: 'verification', roles: STAFF },
    {
      name: 'delivrer_attestation',
      label: 'Délivrer l’attestation de recensement',
      from: ['recue', 'verification'],
      to: 'attestation_delivree',
      roles: STAFF,
      actions: [
        {
          type: 'generate_document',
          title: 'Attestation de recensement',
          filename: 'attestation-recensement.pdf',
          body: [
            '{{ organisation.name }} – Service {{ department.name }}',
            'ATTESTATION DE RECENSEMENT',
            `Le maire atteste que {{ case.data.prenoms }} {{ case.data.nom }}, né(e) le ${frenchDate('case.data.dateNaissance')} à {{ case.data.lieuNaissance }} (nationalité : {{ case.data.nationalite }}), s’est fait recenser (demande n° {{ case.reference }} reçue le {{ case.receivedOn }}).`,
            'Cette attestation est à conserver : elle est demandée pour s’inscrire aux examens et concours soumis au contrôle de l’autorité publique (baccalauréat, permis de conduire…) jusqu’à la Journée défense et citoyenneté. Il n’en est pas délivré de duplicata.',
            'Pour le maire et par délégation,\n{% if agent %}{{ agent.name }}{% else %}le service {{ department.name }}{% endif %}',
          ].join('\n\n'),
        },
        notify(
          'Votre attestation de recensement',
          'Le recensement de {{ case.data.prenoms }} {{ case.data.nom }} est enregistré. L’attestation de recensement est jointe à votre dossier : conservez-la précieusement.',
          'Les informations sont transmises au ministère des Armées, qui convoquera le jeune à la Journée défense et citoyenneté.',
        ),
      ],
    },
    refusal('refuser', 'Refuser la demande', ['recue', 'verification', 'attente_pieces'], 'refusee', 'Votre demande de recensement', 'Nous ne pouvons pas enregistrer le recensement demandé.'),
    {
      name: 'classer_sans_suite',
      label: 'Classer sans suite',
      from: ['attente_pieces'],
      to: 'classee',
      roles: STAFF,
      actions: [
        notify(
          'Votre demande de recensement',
          'Nous n’avons pas reçu les pièces demandées dans le délai indiqué : la demande est classée sans suite.',
          'Le recensement reste obligatoire : vous pouvez déposer une nouvelle demande à tout moment.',
        ),
      ],
    },
    reopen(['attestation_delivree', 'refusee', 'classee'], 'verification'),
  ],
};

export const CONTACT_WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'recu',
  statuses: [
    { id: 'recu', label: 'Reçu', citizenLabel: 'Message reçu', category: 'new' },
    { id: 'en_cours', label: 'En cours', citizenLabel: 'En cours de traitement', category: 'in_progress' },
    {
      id: 'repondu',
      label: 'Réponse envoyée',
      citizenLabel: 'Réponse envoyée',
      category: 'waiting_citizen',
      timers: [{ after: { value: 15, unit: 'calendar_days' }, transition: 'clore' }],
      onCitizenReply: 'nouveau_message',
    },
    { id: 'clos', label: 'Clos', citizenLabel: 'Demande traitée', category: 'closed_accepted' },
    { id: 'irrecevable', label: 'Irrecevable', citizenLabel: 'Demande non recevable', category: 'closed_refused' },
    { id: 'sans_suite', label: 'Classé sans suite', citizenLabel: 'Classé sans suite', category: 'closed_without_action' },
  ],
  transitions: [
    { name: 'prendre_en_charge', label: 'Prendre en charge', from: ['recu'], to: 'en_cours', roles: STAFF },
    {
      name: 'repondre',
      label: 'Répondre',
      from: ['recu', 'en_cours'],
      to: 'repondu',
      roles: STAFF,
      inputs: [{ name: 'reponse', label: 'Réponse envoyée au demandeur', type: 'textarea', required: true }],
      actions: [notify('Réponse à votre message « {{ case.subject }} »', '{{ inputs.reponse }}', 'Si cette réponse ne vous suffit pas, répondez simplement à ce message.')],
    },
    { name: 'nouveau_message', label: 'Le demandeur a répondu', from: ['repondu'], to: 'en_cours', roles: STAFF },
    { name: 'clore', label: 'Clore', from: ['repondu'], to: 'clos', roles: STAFF },
    {
      name: 'classer_sans_suite',
      label: 'Classer sans suite (remerciement, doublon…)',
      from: ['recu', 'en_cours'],
      to: 'sans_suite',
      roles: STAFF,
      inputs: [{ name: 'motif', label: 'Motif (note interne)', type: 'textarea' }],
    },
    {
      name: 'declarer_irrecevable',
      label: 'Déclarer irrecevable',
      from: ['recu', 'en_cours'],
      to: 'irrecevable',
      roles: STAFF,
      inputs: [reasonInput()],
      actions: [notify('Votre message « {{ case.subject }} »', 'Nous ne pouvons pas donner suite à votre message, pour la raison suivante :', '{{ inputs.motif }}')],
    },
    reopen(['clos', 'irrecevable', 'sans_suite'], 'en_cours'),
  ],
};
