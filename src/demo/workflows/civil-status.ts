/**
 * Civil-status records (birth, marriage, death): the department checks that the record is held
 * in the commune's registers and that the requester may obtain this kind of copy, then issues it
 * as a PDF. A missing piece (proof of kinship, of identity) is asked for; without a reply within
 * thirty days the request is closed on its own.
 */
import type { WorkflowDefinition } from '../../workflow/definition.js';
import { askForPieces, frenchDate, notify, refusal, reopen, STAFF } from './common.js';

type Kind = 'naissance' | 'mariage' | 'deces';

const OF_RECORD: Record<Kind, string> = { naissance: 'd’acte de naissance', mariage: 'd’acte de mariage', deces: 'd’acte de décès' };

/** The copy's heading: the death record is always a full copy, the others follow the requested kind. */
function heading(kind: Kind): string {
  const record = { naissance: 'D’ACTE DE NAISSANCE', mariage: 'D’ACTE DE MARIAGE', deces: 'D’ACTE DE DÉCÈS' }[kind];
  if (kind === 'deces') return `COPIE INTÉGRALE ${record}`;
  return [
    `{% if case.data.typeActe == 'copie_integrale' %}COPIE INTÉGRALE ${record}`,
    `{% elsif case.data.typeActe == 'extrait_filiation' %}EXTRAIT ${record} AVEC FILIATION`,
    `{% else %}EXTRAIT ${record} SANS FILIATION{% endif %}`,
  ].join('');
}

/** Parents' lines, except on an extract without parentage; each starts with its own line break. */
const PARENTS = [
  '{% if case.data.typeActe != \'extrait_sans_filiation\' %}',
  '{% if case.data.nomPere %}\nPère : {{ case.data.prenomsPere }} {{ case.data.nomPere }}{% endif %}',
  '{% if case.data.nomMere %}\nMère : {{ case.data.prenomsMere }} {{ case.data.nomMere }}{% endif %}',
  '{% endif %}',
].join('');

const RECORD_LINES: Record<Kind, string> = {
  naissance: [
    'Nom : {{ case.data.nom }}',
    'Prénom(s) : {{ case.data.prenoms }}',
    `Né(e) le ${frenchDate('case.data.dateNaissance')} à {{ case.data.lieuNaissance }}${PARENTS}`,
  ].join('\n'),
  mariage: [
    'Premier époux : {{ case.data.prenomsEpoux1 }} {{ case.data.nomEpoux1 }}',
    'Second époux : {{ case.data.prenomsEpoux2 }} {{ case.data.nomEpoux2 }}',
    `Mariage célébré le ${frenchDate('case.data.dateMariage')} à {{ case.data.lieuMariage }}`,
  ].join('\n'),
  deces: [
    'Nom : {{ case.data.nom }}{% if case.data.nomUsage %} (nom d’usage : {{ case.data.nomUsage }}){% endif %}',
    'Prénom(s) : {{ case.data.prenoms }}',
    `{% if case.data.dateNaissance %}Né(e) le ${frenchDate('case.data.dateNaissance')}\n{% endif %}Décédé(e) le ${frenchDate('case.data.dateDeces')} à {{ case.data.lieuDeces }}`,
  ].join('\n'),
};

/** The record as issued: heading, content taken from the register, delivery mention and signature. */
function recordDocument(kind: Kind): string {
  return [
    '{{ organisation.name }} – Service {{ department.name }}',
    heading(kind),
    RECORD_LINES[kind],
    'Nombre d’exemplaires délivrés : {{ case.data.nombreExemplaires }}',
    'Délivré pour la demande n° {{ case.reference }} reçue le {{ case.receivedOn }}, d’après les registres de l’état civil de la commune.',
    'Pour le maire et par délégation,\n{% if agent %}{{ agent.name }}, {% endif %}officier de l’état civil délégué',
  ].join('\n\n');
}

/** The workflow of one kind of record; the three share their statuses and only differ in the document. */
export function civilStatusWorkflow(kind: Kind): WorkflowDefinition {
  const record = OF_RECORD[kind];
  return {
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
        timers: [{ after: { value: 30, unit: 'calendar_days' }, transition: 'classer_sans_reponse' }],
        onCitizenReply: 'pieces_recues',
      },
      { id: 'delivree', label: 'Acte délivré', citizenLabel: 'Acte délivré', category: 'closed_accepted' },
      { id: 'refusee', label: 'Refusée', citizenLabel: 'Demande refusée', category: 'closed_refused' },
      { id: 'classee', label: 'Classée faute de réponse', citizenLabel: 'Demande classée sans suite', category: 'closed_without_action' },
    ],
    transitions: [
      { name: 'verifier', label: 'Commencer la vérification', from: ['recue'], to: 'verification', roles: STAFF },
      {
        name: 'delivrer',
        label: 'Délivrer l’acte',
        from: ['recue', 'verification'],
        to: 'delivree',
        roles: STAFF,
        actions: [
          { type: 'generate_document', title: `Copie ou extrait ${record}`, filename: `acte-${kind}.pdf`, body: recordDocument(kind) },
          notify(
            `Votre copie ${record}`,
            `Votre demande de copie ${record} a été acceptée.`,
            '{% if case.data.modeDelivrance == \'guichet\' %}Le document vous attend au guichet du service {{ department.name }}{% if department.address %} ({{ department.address }}){% endif %}. Présentez-vous avec une pièce d’identité.{% else %}Le document vous est envoyé par courrier à l’adresse que vous avez indiquée.{% endif %}',
          ),
        ],
      },
      askForPieces('demander_pieces', {
        label: 'Demander une pièce manquante',
        from: ['recue', 'verification'],
        to: 'attente_pieces',
        subject: `Une pièce manque à votre demande de copie ${record}`,
        lead: `Pour traiter votre demande de copie ${record}, nous avons besoin des éléments suivants :`,
        consequence: 'Sans réponse de votre part à cette date, votre demande sera classée sans suite.',
        replyWithin: { value: 30, unit: 'calendar_days' },
      }),
      { name: 'pieces_recues', label: 'Pièce reçue, reprendre la vérification', from: ['attente_pieces'], to: 'verification', roles: STAFF },
      refusal(
        'refuser',
        'Refuser la demande',
        ['recue', 'verification', 'attente_pieces'],
        'refusee',
        `Votre demande de copie ${record}`,
        `Nous ne pouvons pas vous délivrer la copie ${record} demandée.`,
      ),
      {
        name: 'classer_sans_reponse',
        label: 'Classer faute de réponse',
        from: ['attente_pieces'],
        to: 'classee',
        roles: STAFF,
        actions: [
          notify(
            `Votre demande de copie ${record}`,
            'Nous n’avons pas reçu les éléments demandés dans le délai indiqué : votre demande est classée sans suite.',
            'Vous pouvez déposer une nouvelle demande à tout moment.',
          ),
        ],
      },
      reopen(['delivree', 'refusee', 'classee'], 'verification'),
    ],
  };
}
