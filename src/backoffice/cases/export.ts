/**
 * The case as a PDF file (« Exporter en PDF »): facts and deadlines, the citizen, the answers with
 * the form's labels, the files, the place and the timeline — what the print view shows, for
 * archiving or sending on.
 */
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import { URGENCY_LABEL } from '../../cases/urgency.js';
import { PdfWriter } from '../../documents/pdf.js';
import { CHANNEL_LABELS } from '../../portal/cases/service.js';
import { formatDate, formatDateTime } from '../../portal/cases/views/dates.js';
import { AnswerList } from '../../portal/forms/fields/index.js';
import { timelineTime } from './timeline.js';
import { ASSURANCE_LABEL, type CasePageModel } from './views/model.js';
import { describeFile } from './views/sections.js';

/** The PDF export of a case, as bytes. */
export async function casePdf(model: CasePageModel, meta: { organisationName: string; exportedBy: string; now: Date }): Promise<Buffer> {
  const { view, timezone } = model;
  const pdf = await PdfWriter.create({ title: `Dossier ${view.reference}`, author: meta.organisationName, subject: view.subject, keywords: ['dossier', view.reference] });
  const heading = (text: string) => pdf.keep(60).space(6).text(text, { bold: true, size: 13 });
  const dateTime = (iso: string) => formatDateTime(iso, timezone);

  pdf.text(`Dossier ${view.reference}`, { bold: true, size: 16 });
  pdf.text(view.subject, { size: 12 });
  pdf.text(`Exporté le ${dateTime(meta.now.toISOString())} par ${meta.exportedBy}. Document interne : il contient des données personnelles.`, { size: 9 });

  heading('Le dossier');
  pdf.fact('Démarche', view.procedure?.title ?? 'Demande sans démarche (contact)');
  pdf.fact('Canal', CHANNEL_LABELS[view.channel] ?? view.channel);
  pdf.fact('Service', view.department.name);
  pdf.fact('Statut', model.status.label);
  pdf.fact('Agent attribué', model.assignedAgent ?? 'Personne');
  pdf.fact('Reçue le', dateTime(view.receivedAt));
  pdf.fact('Échéance', view.dueAt ? `${dateTime(view.dueAt)}${view.closedAt === null ? ` (${URGENCY_LABEL[model.urgency].toLowerCase()})` : ''}` : 'Aucune');
  if (model.waitingSince) pdf.fact('En attente de l’usager', `depuis le ${dateTime(model.waitingSince)}`);
  if (model.silence) pdf.fact('Décision implicite', `le ${formatDate(model.silence.at, timezone)}, le silence vaut ${model.silence.regime === 'accept' ? 'acceptation' : 'rejet'}`);
  if (model.implicitDecision) pdf.fact('Décision implicite née', model.implicitDecision.regime === 'accept' ? 'acceptation' : 'rejet');
  if (view.closedAt) pdf.fact('Clos le', dateTime(view.closedAt));
  pdf.fact('Version', String(view.version));

  heading('Usager');
  if (model.citizen) {
    pdf.fact('Nom', model.citizen.name);
    pdf.fact('Identité', ASSURANCE_LABEL[model.citizen.assurance]);
    pdf.fact('Courriel', model.citizen.email ?? view.contact.email ?? 'Non renseigné');
    pdf.fact('Téléphone', model.citizen.phone ?? view.contact.phone ?? 'Non renseigné');
    if (model.citizen.address) pdf.fact('Adresse', model.citizen.address);
  } else {
    pdf.text('Demande anonyme.');
    pdf.fact('Courriel donné', view.contact.email ?? 'Aucun');
    pdf.fact('Téléphone donné', view.contact.phone ?? 'Aucun');
  }

  heading('Données de la demande');
  if (model.answers) {
    const context = { householdMembers: model.answers.householdMembers, uploads: model.answers.uploads };
    pdf.text(answersText(render(h(AnswerList, { fields: model.answers.fields, values: model.answers.values, context }))) || 'Aucune réponse.');
  } else pdf.text('Cette demande n’a pas de formulaire.');

  heading(`Pièces jointes (${model.attachments.length})`);
  for (const file of model.attachments) pdf.text(`• ${file.filename} (${describeFile(file)})`, { indent: 8 });
  if (model.attachments.length === 0) pdf.text('Aucune.');

  if (view.location) {
    heading('Localisation');
    pdf.text(view.location.address ?? 'Adresse non précisée');
    if (view.location.lat !== null && view.location.lon !== null) pdf.text(`Latitude ${view.location.lat}, longitude ${view.location.lon}`);
  }

  heading('Historique');
  for (const entry of model.timeline) {
    pdf.keep(40);
    pdf.text(`${timelineTime(entry.at, timezone)} — ${entry.actor}${entry.kind === 'note' ? ' — note interne' : ''}`, { size: 9 });
    pdf.text(entry.title, { bold: true, indent: 8 });
    for (const line of entry.details) pdf.text(line, { indent: 8 });
    if (entry.text) pdf.text(entry.text, { indent: 8 });
    if (entry.mentions.length > 0) pdf.text(`Mentionne : ${entry.mentions.join(', ')}`, { indent: 8 });
    if (entry.message) {
      pdf.text(`Objet : ${entry.message.subject}`, { indent: 8 });
      if (entry.message.body) pdf.text(entry.message.body, { indent: 8 });
      pdf.text(`${entry.message.direction === 'in' ? 'Reçu' : 'Envoi'} par ${entry.message.channel} — état : ${entry.message.delivery}`, { indent: 8, size: 9 });
    }
    for (const f of entry.files) pdf.text(`Fichier : ${f.filename}`, { indent: 8 });
  }
  return pdf.save(`${meta.organisationName} — dossier ${view.reference}`);
}

/**
 * The answers' text from `AnswerList`'s HTML: the one reading of answers with the form's labels
 * (choices, dates, addresses, groups, files) stays in one place, and only its markup is dropped.
 */
export function answersText(html: string): string {
  return html
    .replace(/<\/dt>/g, ' : ')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<li>/g, '\n  - ')
    .replace(/<\/(div|p|dl)>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': '\'', nbsp: ' ' })[e] ?? '')
    .replace(/ : \n\s*- /g, ' : ')
    .replace(/\n{2,}/g, '\n')
    .trim();
}
