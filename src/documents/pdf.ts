import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

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

/** Document information every generated PDF carries: what screen readers and viewers announce. */
export interface PdfMetadata {
  title: string;
  author: string;
  subject?: string;
  keywords?: string[];
}

/** How one block of text is drawn by `PdfWriter.text`. */
export interface TextStyle {
  bold?: boolean;
  size?: number;
  /** Left edge, from the left margin (points). */
  indent?: number;
  /** Width available; the full text width by default. */
  width?: number;
  /** Space after the block (points); half a line by default. */
  after?: number;
}

/**
 * A page-flowing writer for documents richer than `textToPdf`: headings, indented blocks, bold
 * labels, a footer on every page. Same choices as `textToPdf`: A4, standard Helvetica at a
 * readable size, French language and title in the metadata (shown by viewers instead of the
 * file name), text drawn as real text so it can be selected, searched and read aloud.
 */
export class PdfWriter {
  static readonly width = A4[0] - 2 * MARGIN;
  private page: PDFPage;
  private y: number;

  private constructor(
    private readonly pdf: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.page = pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  static async create(meta: PdfMetadata): Promise<PdfWriter> {
    const pdf = await PDFDocument.create();
    pdf.setTitle(meta.title, { showInWindowTitleBar: true });
    pdf.setAuthor(meta.author);
    pdf.setLanguage('fr-FR');
    pdf.setCreator('Guichet');
    if (meta.subject) pdf.setSubject(meta.subject);
    if (meta.keywords) pdf.setKeywords(meta.keywords);
    return new PdfWriter(pdf, await pdf.embedFont(StandardFonts.Helvetica), await pdf.embedFont(StandardFonts.HelveticaBold));
  }

  /** Draws a block of text wrapped to its width; line breaks in `text` are kept. */
  text(text: string, style: TextStyle = {}): this {
    const font = style.bold ? this.bold : this.regular;
    const size = style.size ?? BODY_SIZE;
    const x = MARGIN + (style.indent ?? 0);
    const width = style.width ?? PdfWriter.width - (style.indent ?? 0);
    for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
      for (const line of wrap(drawable(paragraph, font), font, size, width)) {
        if (this.y - size < MARGIN + FOOTER_SPACE) this.newPage();
        this.page.drawText(line, { x, y: this.y - size, size, font, color: rgb(0.12, 0.12, 0.12) });
        this.y -= size + LINE_GAP;
      }
    }
    this.y -= style.after ?? Math.round(size / 2);
    return this;
  }

  /** A label in bold followed by its value on the same line (wrapped under the value when long). */
  fact(label: string, value: string, style: { labelWidth?: number } = {}): this {
    const labelWidth = style.labelWidth ?? 185;
    const top = this.y;
    const page = this.page;
    this.text(label, { bold: true, width: labelWidth - 8, after: 0 });
    const labelBottom = this.y;
    if (this.page === page) this.y = top;
    this.text(value, { indent: labelWidth, after: 0 });
    if (this.page === page) this.y = Math.min(this.y, labelBottom);
    this.y -= LINE_GAP;
    return this;
  }

  /** Vertical space (points). */
  space(points: number): this {
    this.y -= points;
    return this;
  }

  /** Moves to a new page when less than `points` remain, so a heading is not left alone at the bottom. */
  keep(points: number): this {
    if (this.y - points < MARGIN + FOOTER_SPACE) this.newPage();
    return this;
  }

  /** Writes the same footer at the bottom of every page (« page 1 sur 2 » appended), then the file. */
  async save(footer: string): Promise<Buffer> {
    const pages = this.pdf.getPages();
    for (const [index, page] of pages.entries()) {
      const line = drawable(`${footer} — page ${index + 1} sur ${pages.length}`, this.regular);
      page.drawText(line, { x: MARGIN, y: MARGIN / 2, size: FOOTER_SIZE, font: this.regular, color: rgb(0.25, 0.25, 0.25) });
    }
    return Buffer.from(await this.pdf.save());
  }

  private newPage(): void {
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }
}

const FOOTER_SIZE = 9;
const FOOTER_SPACE = 12;

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
