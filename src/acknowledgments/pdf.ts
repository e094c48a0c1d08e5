import { PdfWriter } from '../documents/pdf.js';
import type { AcknowledgmentContent, AcknowledgmentSection } from './content.js';

/** `document`: the acknowledgment to download; `letter`: the same, laid out as a letter to post. */
export type AcknowledgmentFormat = 'document' | 'letter';

/** The acknowledgment as a PDF: the town's name on top, then the same content as the e-mail. */
export async function acknowledgmentPdf(content: AcknowledgmentContent, format: AcknowledgmentFormat): Promise<Buffer> {
  const pdf = await PdfWriter.create({
    title: `${content.title} – dossier ${content.reference}`,
    author: content.townName,
    subject: `Accusé de réception (articles L112-11 et R112-11-1 du CRPA) – dossier ${content.reference}`,
    keywords: [content.reference, 'accusé de réception'],
  });
  if (format === 'letter') letterHead(pdf, content);
  else {
    pdf.text(content.townName, { bold: true, size: 16, after: 14 });
    pdf.text(content.title, { bold: true, size: 15, after: 12 });
  }
  pdf.text(content.lead, { after: 10 });
  for (const section of content.sections) writeSection(pdf, section);
  pdf.space(6);
  if (format === 'letter') pdf.text(content.letter.closing, { after: 18 });
  pdf.text(content.signature.join('\n'), { bold: format === 'letter', indent: format === 'letter' ? PdfWriter.width / 2 : 0, after: 18 });
  pdf.text(content.mentions.join('\n'), { size: 9 });
  return pdf.save(`${content.townName} — accusé de réception du dossier ${content.reference}`);
}

/**
 * The head of a French administrative letter: sender block (the department's address) on the left,
 * recipient block on the right where a window envelope shows it, place and date, subject line,
 * salutation.
 */
function letterHead(pdf: PdfWriter, content: AcknowledgmentContent): void {
  const { letter } = content;
  pdf.text(letter.sender[0] ?? content.townName, { bold: true, size: 14, after: 2 });
  pdf.text(letter.sender.slice(1).join('\n'), { size: 10, after: 24 });
  if (letter.recipient.length > 0) pdf.text(letter.recipient.join('\n'), { indent: PdfWriter.width / 2, after: 24 });
  else pdf.space(24);
  pdf.text(letter.placeAndDate, { indent: PdfWriter.width / 2, after: 20 });
  pdf.text(letter.object, { bold: true, after: 4 });
  pdf.text(`Référence à rappeler : dossier ${content.reference}`, { after: 18 });
  pdf.text(letter.salutation);
}

function writeSection(pdf: PdfWriter, section: AcknowledgmentSection): void {
  pdf.keep(60).text(section.heading, { bold: true, size: 12.5, after: 6 });
  for (const [label, value] of section.facts) pdf.fact(label, value);
  if (section.facts.length > 0) pdf.space(6);
  for (const paragraph of section.paragraphs) pdf.text(paragraph);
  for (const item of section.list) pdf.text(`–  ${item}`, { indent: 12, after: 3 });
  if (section.list.length > 0) pdf.space(4);
  for (const paragraph of section.after) pdf.text(paragraph);
  pdf.space(6);
}
