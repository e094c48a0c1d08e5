import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const BODY_SIZE = 11;
const TITLE_SIZE = 15;
const LINE_GAP = 4;

/**
 * A plain, printable PDF from a title and a text (paragraphs separated by blank lines): decision
 * letters and extracts the workflow generates. Standard fonts only, so nothing is downloaded or
 * embedded; characters they cannot draw are replaced rather than failing the whole document.
 */
export async function textToPdf(title: string, text: string, meta: { author: string; subject?: string }): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setAuthor(meta.author);
  pdf.setLanguage('fr-FR');
  if (meta.subject) pdf.setSubject(meta.subject);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const width = A4[0] - 2 * MARGIN;

  let page = pdf.addPage(A4);
  let y = A4[1] - MARGIN;
  const draw = (line: string, font: PDFFont, size: number) => {
    if (y - size < MARGIN) {
      page = pdf.addPage(A4);
      y = A4[1] - MARGIN;
    }
    page.drawText(line, { x: MARGIN, y: y - size, size, font });
    y -= size + LINE_GAP;
  };

  for (const line of wrap(drawable(title, bold), bold, TITLE_SIZE, width)) draw(line, bold, TITLE_SIZE);
  y -= TITLE_SIZE;
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (paragraph.trim() === '') {
      y -= BODY_SIZE;
      continue;
    }
    for (const line of wrap(drawable(paragraph, regular), regular, BODY_SIZE, width)) draw(line, regular, BODY_SIZE);
  }
  return Buffer.from(await pdf.save());
}

/** Replaces what the standard (WinAnsi) fonts cannot encode: typographic spaces, then anything else. */
function drawable(text: string, font: PDFFont): string {
  const spaced = text.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\t/g, '    ');
  let out = '';
  for (const char of spaced) {
    try {
      font.encodeText(char);
      out += char;
    } catch {
      out += '?';
    }
  }
  return out;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/ +/)) {
    const candidate = current ? `${current} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width || !current) current = candidate;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
