/**
 * School and after-school enrolment share one circuit: the department checks the file (proof of
 * address, family record book, vaccinations), asks for what is missing — an incomplete file, so
 * the delay restarts once it is complete —, validates it, then assigns the school. One step waits
 * for a third party: the exemption board when the family asks to leave its school sector, the
 * school doctor's individual care plan (PAI) when the child has an allergy.
 */
import type { SelectOption } from '../../procedures/form/definition.js';
import type { Status, Transition, WorkflowDefinition } from '../../workflow/definition.js';
import { demoProcedure } from '../procedures/index.js';
import { askForPieces, labelOf, notify, refusal, reopen, STAFF } from './common.js';

/** The options of a select field of a demo form: the schools and levels are named once, in the forms. */
function formOptions(slug: string, fieldName: string): SelectOption[] {
  const field = demoProcedure(slug)?.procedure.form.pages.flatMap((page) => page.fields).find((f) => f.name === fieldName);
  if (field?.type !== 'select') throw new Error(`demo form ${slug} has no select field ${fieldName}`);
  return field.options;
}

const SCHOOLS = formOptions('inscription-periscolaire', 'ecole');
const LEVELS = formOptions('inscription-scolaire', 'niveau');
const SCHOOL = labelOf('inputs.ecoleAffectee', SCHOOLS);

/** What differs between school and after-school enrolment. */
interface Variant {
  /** What the family asked for, in message subjects: « Votre inscription scolaire ». */
  what: string;
  /** The third party's step, offered only when the form's answers call for it. */
  thirdParty: { status: Status; submit: Omit<Transition, 'from' | 'to' | 'roles'>; back: Omit<Transition, 'from' | 'to' | 'roles'> };
  assign: { name: string; label: string; doneLabel: string; inputLabel: string; subject: string; lead: string; next: string };
  document: { title: string; filename: string; body: string };
}

const SCHOOL_ENROLMENT: Variant = {
  what: 'inscription scolaire',
  thirdParty: {
    status: { id: 'commission_derogation', label: 'Dérogation soumise à la commission', citizenLabel: 'Demande de dérogation à l’étude', category: 'waiting_third_party' },
    submit: { name: 'soumettre_commission', label: 'Soumettre la dérogation à la commission', condition: { field: 'derogation', op: 'eq', value: true } },
    back: {
      name: 'avis_commission',
      label: 'Enregistrer l’avis de la commission',
      inputs: [{ name: 'avis', label: 'Avis de la commission', type: 'select', required: true, options: [{ value: 'favorable', label: 'Favorable' }, { value: 'defavorable', label: 'Défavorable : école du secteur' }] }],
    },
  },
  assign: {
    name: 'affecter',
    label: 'Affecter dans une école',
    doneLabel: 'École attribuée',
    inputLabel: 'École d’affectation',
    subject: 'Inscription scolaire confirmée',
    lead: `Votre enfant est inscrit(e) à l’école suivante : ${SCHOOL}.`,
    next: 'Le certificat d’inscription est joint à votre dossier. Prenez rendez-vous avec la direction de l’école pour l’admission, muni(e) de ce certificat, du carnet de santé de l’enfant et de votre livret de famille.',
  },
  document: {
    title: 'Certificat d’inscription scolaire',
    filename: 'certificat-inscription-scolaire.pdf',
    body: [
      '{{ organisation.name }} – Service {{ department.name }}',
      'CERTIFICAT D’INSCRIPTION SCOLAIRE',
      `Le maire certifie que l’enfant désigné dans la demande n° {{ case.reference }} ({{ case.subject }}) est inscrit(e) à l’école suivante : ${SCHOOL}, en ${labelOf('case.data.niveau', LEVELS)}, pour la prochaine rentrée scolaire.`,
      '{% if citizen %}Responsable légal : {{ citizen.fullName }}{% endif %}',
      'Ce certificat est à présenter à la direction de l’école, qui procède à l’admission de l’enfant.',
      'Pour le maire et par délégation,\n{% if agent %}{{ agent.name }}{% else %}le service {{ department.name }}{% endif %}',
    ].join('\n\n'),
  },
};

const AFTER_SCHOOL_ENROLMENT: Variant = {
  what: 'inscription aux services périscolaires',
  thirdParty: {
    status: { id: 'attente_pai', label: 'En attente du PAI (médecin scolaire)', citizenLabel: 'En attente du projet d’accueil individualisé', category: 'waiting_third_party' },
    submit: { name: 'demander_pai', label: 'Attendre le PAI du médecin scolaire', condition: { field: 'regimeAlimentaire', op: 'eq', value: true } },
    back: { name: 'pai_recu', label: 'PAI reçu' },
  },
  assign: {
    name: 'confirmer',
    label: 'Confirmer l’inscription',
    doneLabel: 'Inscription confirmée',
    inputLabel: 'Accueil périscolaire de rattachement',
    subject: 'Inscription aux services périscolaires confirmée',
    lead: `L’inscription de votre enfant aux services périscolaires de l’école suivante est confirmée : ${SCHOOL}.`,
    next: 'Les services commencent dès la rentrée. La facture vous est adressée chaque mois, selon votre quotient familial.',
  },
  document: {
    title: 'Attestation d’inscription aux services périscolaires',
    filename: 'attestation-inscription-periscolaire.pdf',
    body: [
      '{{ organisation.name }} – Service {{ department.name }}',
      'ATTESTATION D’INSCRIPTION AUX SERVICES PÉRISCOLAIRES',
      'L’enfant désigné dans la demande n° {{ case.reference }} ({{ case.subject }}) est inscrit(e) aux services périscolaires suivants :',
      [
        '{% if case.data.services contains \'cantine\' %}- restauration scolaire\n{% endif %}',
        '{% if case.data.services contains \'accueil_matin\' %}- accueil du matin\n{% endif %}',
        '{% if case.data.services contains \'accueil_soir\' %}- accueil du soir\n{% endif %}',
        '{% if case.data.services contains \'mercredi\' %}- accueil de loisirs du mercredi\n{% endif %}',
        `École : ${SCHOOL}`,
      ].join(''),
      '{% if case.data.quotientFamilial %}Quotient familial retenu pour la facturation : {{ case.data.quotientFamilial }}.{% else %}Sans quotient familial communiqué, le tarif le plus élevé s’applique.{% endif %}',
      'Pour le maire et par délégation,\n{% if agent %}{{ agent.name }}{% else %}le service {{ department.name }}{% endif %}',
    ].join('\n\n'),
  },
};

function enrolmentWorkflow(variant: Variant): WorkflowDefinition {
  const { what, thirdParty, assign, document } = variant;
  const third = thirdParty.status.id;
  return {
    version: 1,
    initial: 'recue',
    statuses: [
      { id: 'recue', label: 'Reçue, dossier à vérifier', citizenLabel: 'Demande reçue', category: 'new' },
      {
        id: 'attente_documents',
        label: 'Dossier incomplet',
        citizenLabel: 'En attente de vos documents',
        category: 'waiting_citizen',
        timers: [{ after: { value: 30, unit: 'calendar_days' }, transition: 'classer_sans_suite' }],
        onCitizenReply: 'documents_recus',
      },
      { id: 'validee', label: 'Dossier complet, affectation à faire', citizenLabel: 'Dossier complet, en cours de traitement', category: 'in_progress' },
      thirdParty.status,
      { id: 'inscrit', label: assign.doneLabel, citizenLabel: 'Inscription confirmée', category: 'closed_accepted' },
      { id: 'refusee', label: 'Refusée', citizenLabel: 'Demande refusée', category: 'closed_refused' },
      { id: 'sans_suite', label: 'Classée sans suite', citizenLabel: 'Demande classée sans suite', category: 'closed_without_action' },
    ],
    transitions: [
      askForPieces('demander_documents', {
        label: 'Demander des documents manquants',
        from: ['recue', 'validee'],
        to: 'attente_documents',
        subject: `Documents manquants pour votre ${what}`,
        lead: 'Votre dossier « {{ case.subject }} » est incomplet. Il nous manque :',
        consequence: 'Le délai de traitement repart de la réception du dossier complet. Sans réponse de votre part à cette date, la demande sera classée sans suite.',
        replyWithin: { value: 21, unit: 'calendar_days' },
        incompleteFile: true,
      }),
      { name: 'documents_recus', label: 'Documents reçus, reprendre la vérification', from: ['attente_documents'], to: 'recue', roles: STAFF },
      { name: 'valider', label: 'Valider le dossier', from: ['recue', 'attente_documents'], to: 'validee', roles: STAFF },
      { ...thirdParty.submit, from: ['validee'], to: third, roles: STAFF },
      { ...thirdParty.back, from: [third], to: 'validee', roles: STAFF },
      {
        name: assign.name,
        label: assign.label,
        from: ['validee'],
        to: 'inscrit',
        roles: STAFF,
        inputs: [{ name: 'ecoleAffectee', label: assign.inputLabel, type: 'select', required: true, options: SCHOOLS }],
        actions: [
          { type: 'generate_document', title: document.title, filename: document.filename, body: document.body },
          notify(assign.subject, assign.lead, assign.next),
        ],
      },
      refusal('refuser', 'Refuser la demande', ['recue', 'attente_documents', 'validee', third], 'refusee', `Votre ${what}`, 'Nous ne pouvons pas donner une suite favorable à votre demande « {{ case.subject }} ».'),
      {
        name: 'classer_sans_suite',
        label: 'Classer sans suite',
        from: ['recue', 'attente_documents', 'validee'],
        to: 'sans_suite',
        roles: STAFF,
        actions: [
          notify(
            `Votre ${what}`,
            'Votre demande « {{ case.subject }} » est classée sans suite : le dossier n’a pas été complété dans le délai indiqué, ou vous nous avez fait savoir que vous y renonciez.',
            'Vous pouvez déposer une nouvelle demande à tout moment.',
          ),
        ],
      },
      reopen(['inscrit', 'refusee', 'sans_suite'], 'validee'),
    ],
  };
}

export const SCHOOL_ENROLMENT_WORKFLOW = enrolmentWorkflow(SCHOOL_ENROLMENT);
export const AFTER_SCHOOL_ENROLMENT_WORKFLOW = enrolmentWorkflow(AFTER_SCHOOL_ENROLMENT);
