/**
 * The printable letter of a reply to a citizen who has neither e-mail, account nor mobile: the
 * town's letterhead, the address block placed for a window envelope, the date, the reference,
 * the subject, the text and the agent's signature.
 */
import { DateTime } from 'luxon';
import { caseRepository, type CaseView } from '../../../cases/repository.js';
import { citizenProfile } from '../../../citizens/profile.js';
import type { Executor } from '../../../db/transaction.js';
import { PdfWriter } from '../../../documents/pdf.js';
import { notFound } from '../../../http/errors.js';
import { messageRepository } from '../../../messages/repository.js';
import { organisationRepository } from '../../../organisations/repository.js';

/** Where the address block starts from the left margin: the window of a DL envelope. */
const ADDRESS_INDENT = 260;

const CIVILITY: Record<string, string> = { M: 'Monsieur', Mme: 'Madame' };

/** The PDF of an outgoing message of the case, as a letter; another case's message is not found. */
export async function letterPdf(db: Executor, view: CaseView, messageId: number, timezone: string): Promise<{ pdf: Buffer; filename: string }> {
  const message = await messageRepository.findById(db, messageId);
  if (!message || message.case_id !== view.id || message.direction !== 'out' || message.channel === 'agent_email') throw notFound('Aucun courrier.');
  const [organisation, department, citizen, journal] = await Promise.all([
    organisationRepository.findById(db, view.organisationId),
    organisationRepository.findDepartment(db, view.department.id),
    view.citizenId !== null ? citizenProfile(db, view.citizenId) : Promise.resolve(undefined),
    caseRepository.listJournal(db, view.id),
  ]);
  const sentBy = journal.find((e) => e.type === 'message.out' && e.payload['messageId'] === messageId);
  const agentName = typeof sentBy?.payload['agentName'] === 'string' ? sentBy.payload['agentName'] : null;
  const organisationName = organisation?.name ?? '';

  const writer = await PdfWriter.create({ title: `${message.subject} — dossier ${view.reference}`, author: organisationName, subject: `Courrier du dossier ${view.reference}` });
  writer.text(organisationName, { bold: true, size: 15, after: 2 });
  if (department) writer.text(department.name, { after: 2 });
  const contact = [department?.address ?? organisation?.address, department?.phone ?? organisation?.phone, department?.email ?? organisation?.email].filter(Boolean).join('\n');
  if (contact) writer.text(contact, { size: 9 });
  writer.space(24);

  const recipient = [
    citizen ? [citizen.civility ? CIVILITY[citizen.civility] : null, citizen.firstNames, citizen.usageName ?? citizen.birthName].filter(Boolean).join(' ') : null,
    citizen?.address ? [citizen.address.line1, citizen.address.line2, `${citizen.address.postcode} ${citizen.address.city}`].filter(Boolean).join('\n') : view.location?.address ?? null,
  ].filter(Boolean).join('\n');
  writer.text(recipient || 'Destinataire : adresse à compléter', { indent: ADDRESS_INDENT });
  writer.space(24);

  const date = DateTime.fromISO(message.created_at, { zone: timezone }).setLocale('fr').toFormat('d MMMM yyyy');
  writer.text(`Le ${date}`, { indent: ADDRESS_INDENT });
  writer.space(12);
  writer.fact('Dossier n°', view.reference, { labelWidth: 70 });
  writer.fact('Objet :', message.subject, { labelWidth: 70 });
  writer.space(12);
  writer.text(message.body_text);
  writer.space(18);
  writer.text([agentName, department?.name].filter(Boolean).join('\n'), { indent: ADDRESS_INDENT });
  const pdf = await writer.save(`${organisationName} — dossier ${view.reference}`);
  return { pdf, filename: `courrier-${view.reference}-${messageId}.pdf` };
}
