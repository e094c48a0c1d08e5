/**
 * The demo commune's response templates: the letters a town hall writes every day, in the
 * administrative French agents expect, some for the whole town, some for a department or a
 * procedure. Every one passes the template checker (see the templates test).
 */
import type { Executor } from '../db/transaction.js';
import { responseTemplateRepository } from '../templates/repository.js';

export interface DemoResponseTemplate {
  slug: string;
  name: string;
  /** Department slug, procedure slug, or neither (the whole town). */
  department?: string;
  procedure?: string;
  subject: string;
  body: string;
}

const GREETING = '{% if citizen.civility == "Mme" %}Madame{% elsif citizen.civility == "M" %}Monsieur{% else %}Madame, Monsieur{% endif %}';
const SIGNATURE = '{{ agent.name }}\n{{ agent.department }}\n{{ organisation.name }}';

export const DEMO_RESPONSE_TEMPLATES: readonly DemoResponseTemplate[] = [
  {
    slug: 'accuse-prise-en-charge',
    name: 'Accusé de prise en charge',
    subject: 'Votre demande {{ case.reference }} est prise en charge',
    body: `${GREETING},

Votre demande « {{ case.subject }} », reçue le {{ case.receivedOn }}, est prise en charge par le service {{ department.name }}.
{% if case.dueOn %}Nous nous engageons à vous répondre au plus tard le {{ case.dueOn }}.{% endif %}

Vous pouvez suivre son avancement à l’adresse suivante : {{ case.trackingUrl }}

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'demande-pieces-complementaires',
    name: 'Demande de pièces complémentaires',
    subject: 'Dossier {{ case.reference }} : pièces complémentaires à fournir',
    body: `${GREETING},

L’instruction de votre demande « {{ case.subject }} » nécessite les pièces suivantes :
- [pièce 1]
- [pièce 2]

Vous pouvez les déposer depuis votre espace « Mes demandes », les envoyer par courrier ou les remettre au guichet du service {{ department.name }}{% if department.address %} ({{ department.address }}){% endif %}.

Le délai de traitement de votre demande est suspendu jusqu’à la réception de ces pièces.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'relance-demande-incomplete',
    name: 'Demande incomplète – relance',
    subject: 'Rappel : dossier {{ case.reference }} incomplet',
    body: `${GREETING},

Nous vous avons demandé de compléter votre dossier {{ case.reference }}. À ce jour, nous n’avons pas reçu les éléments attendus.

Sans réponse de votre part, votre demande ne pourra pas être instruite et sera classée sans suite.

Pour toute question, le service {{ department.name }} reste à votre disposition{% if department.phone %} au {{ department.phone }}{% endif %}.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'rendez-vous-propose',
    name: 'Rendez-vous proposé',
    subject: 'Proposition de rendez-vous – dossier {{ case.reference }}',
    body: `${GREETING},

Afin de poursuivre le traitement de votre demande, nous vous proposons un rendez-vous le [date] à [heure], au service {{ department.name }}{% if department.address %}, {{ department.address }}{% endif %}.

Si cette date ne vous convient pas, merci de nous l’indiquer en répondant à ce message{% if department.phone %} ou en appelant le {{ department.phone }}{% endif %}.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'reponse-defavorable-motivee',
    name: 'Réponse défavorable motivée',
    subject: 'Décision relative à votre demande {{ case.reference }}',
    body: `${GREETING},

Par votre demande du {{ case.receivedOn }}, vous avez sollicité : « {{ case.subject }} ».

Après examen, j’ai le regret de vous informer qu’une suite favorable ne peut y être donnée, pour le motif suivant : [motif de droit et de fait].

Voies et délais de recours : cette décision peut faire l’objet, dans un délai de deux mois à compter de sa notification, d’un recours gracieux auprès du maire ou d’un recours contentieux devant le tribunal administratif territorialement compétent, y compris par l’application « Télérecours citoyens » (www.telerecours.fr). Le recours gracieux prolonge le délai du recours contentieux.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'reorientation-autre-organisme',
    name: 'Réorientation vers un autre organisme',
    subject: 'Votre demande {{ case.reference }} relève d’un autre organisme',
    body: `${GREETING},

Votre demande « {{ case.subject }} » ne relève pas de la compétence de la commune.

Nous vous invitons à vous adresser à : [organisme, adresse, site internet].
Votre dossier est clos dans nos services.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'intervention-programmee',
    name: 'Intervention programmée',
    department: 'voirie',
    subject: 'Votre signalement {{ case.reference }} : intervention programmée',
    body: `${GREETING},

Merci pour votre signalement « {{ case.subject }} ».

Une intervention de nos équipes est programmée le [date]. Elle peut être décalée en cas d’intempéries ou d’urgence sur la voirie communale.

Vous pouvez suivre votre signalement : {{ case.trackingUrl }}

Cordialement,

${SIGNATURE}`,
  },
  {
    slug: 'signalement-clos-intervention',
    name: 'Signalement clos après intervention',
    procedure: 'signalement-voirie',
    subject: 'Votre signalement {{ case.reference }} est traité',
    body: `${GREETING},

Nos équipes sont intervenues suite à votre signalement « {{ case.subject }} » du {{ case.receivedOn }}. Le problème est résolu et le signalement est clos.

Si le problème persiste ou réapparaît, n’hésitez pas à nous le signaler de nouveau.

Merci de votre contribution à la qualité de notre cadre de vie.

${SIGNATURE}`,
  },
  {
    slug: 'acte-etat-civil-envoye',
    name: 'Acte d’état civil envoyé',
    department: 'etat-civil',
    subject: 'Votre demande d’acte {{ case.reference }} : acte envoyé',
    body: `${GREETING},

Suite à votre demande « {{ case.subject }} », l’acte demandé vous a été adressé ce jour par voie postale à l’adresse indiquée.

La délivrance des actes d’état civil est gratuite. Aucun autre site ne doit vous facturer ce service.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
  {
    slug: 'inscription-scolaire-confirmee',
    name: 'Inscription scolaire confirmée',
    procedure: 'inscription-scolaire',
    subject: 'Inscription scolaire confirmée – dossier {{ case.reference }}',
    body: `${GREETING},

Nous avons le plaisir de vous confirmer l’inscription scolaire demandée (dossier {{ case.reference }}).

Le certificat d’inscription est à présenter au directeur ou à la directrice de l’école, qui procédera à l’admission de l’enfant. Pensez à vous munir du carnet de santé.

Le service {{ department.name }} reste à votre disposition pour toute question{% if department.email %} ({{ department.email }}){% endif %}.

Veuillez agréer, ${GREETING}, l’expression de nos salutations distinguées.

${SIGNATURE}`,
  },
];

/** Writes the demo templates; department and procedure slugs are the demo commune's. */
export async function seedDemoResponseTemplates(
  trx: Executor,
  organisationId: number,
  departments: Record<string, number>,
  procedures: Record<string, number>,
  now: string,
): Promise<void> {
  for (const t of DEMO_RESPONSE_TEMPLATES) {
    const departmentId = t.department === undefined ? null : departments[t.department];
    const procedureId = t.procedure === undefined ? null : procedures[t.procedure];
    if (departmentId === undefined || procedureId === undefined) throw new Error(`Données de démonstration incohérentes : le modèle « ${t.slug} » vise un service ou une démarche inconnus.`);
    await responseTemplateRepository.insert(trx, organisationId, { departmentId, procedureId, slug: t.slug, name: t.name, subject: t.subject, body: t.body }, null, now);
  }
}
