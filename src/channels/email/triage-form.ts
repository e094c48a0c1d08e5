/**
 * An e-mail turned into the answers of the triage procedure's form (the demo's « Contact / autre
 * demande »: nature, object, message, attachment, preferred answer). The form is read, not
 * assumed: the subject goes to the object field, the text to the first multi-line field, files to
 * the first file field, and every other required choice takes its « other » / « by e-mail »
 * option, so another triage procedure works too when its form is of the same kind.
 */
import type { Field, FileField, FormDefinition } from '../../procedures/form/definition.js';

export interface EmailRequest {
  subject: string;
  text: string;
  /** Stored attachments: id, sniffed type and size. */
  attachments: { id: string; mimeType: string; size: number }[];
}

const SUBJECT_NAMES = ['objet', 'subject', 'titre', 'title'];
const PREFERRED_OPTIONS = ['autre', 'courriel', 'email', 'mail', 'inconnu', 'other'];

/** The form's answers, and the attachments the file field could not take (linked to the message instead). */
export function triageAnswers(form: FormDefinition, request: EmailRequest): { data: Record<string, unknown>; leftOver: string[] } {
  const fields = form.pages.flatMap((page) => page.fields).filter((f): f is Exclude<Field, { type: 'group' }> => f.type !== 'group');
  const data: Record<string, unknown> = {};
  const subjectField = fields.find((f) => f.type === 'text' && SUBJECT_NAMES.includes(f.name.toLowerCase())) ?? fields.find((f) => f.type === 'text' && f.required);
  const bodyField = fields.find((f) => f.type === 'textarea');
  if (subjectField && subjectField.type === 'text') data[subjectField.name] = fit(request.subject || '(sans objet)', subjectField.minLength, subjectField.maxLength ?? 500);
  if (bodyField && bodyField.type === 'textarea') data[bodyField.name] = fit(request.text || '(Courriel reçu sans texte.)', bodyField.minLength, bodyField.maxLength ?? 10_000);

  const fileField = fields.find((f): f is FileField => f.type === 'file');
  const taken: string[] = [];
  if (fileField) {
    for (const a of request.attachments) {
      if (taken.length >= (fileField.maxFiles ?? 1)) break;
      const typeOk = !fileField.accept || fileField.accept.some((t) => t === a.mimeType || (t.endsWith('/*') && a.mimeType.startsWith(t.slice(0, -1))));
      if (typeOk && (fileField.maxSizeBytes === undefined || a.size <= fileField.maxSizeBytes)) taken.push(a.id);
    }
    if (taken.length > 0) data[fileField.name] = taken;
  }

  for (const field of fields) {
    if (!field.required || field.name in data) continue;
    if (field.type === 'select' || field.type === 'radio') {
      const preferred = PREFERRED_OPTIONS.map((v) => field.options.find((o) => o.value.toLowerCase() === v)).find(Boolean);
      data[field.name] = (preferred ?? field.options[0])?.value;
    } else if (field.type === 'yesno') {
      data[field.name] = false;
    }
  }
  return { data, leftOver: request.attachments.map((a) => a.id).filter((id) => !taken.includes(id)) };
}

/** The text within the field's bounds: padded with a note when too short, cut with « … » when too long (the full text stays in the message). */
function fit(text: string, minLength: number | undefined, maxLength: number): string {
  let value = text.trim();
  if (minLength !== undefined && value.length < minLength) value = `${value} (courriel reçu)`.trim();
  if (value.length > maxLength) value = `${value.slice(0, maxLength - 1)}…`;
  return value;
}
