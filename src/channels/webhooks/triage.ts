/**
 * A delivery whose mapping gives no form answers (`data`) — a plain post, a comment — still
 * becomes a request: the procedure's form is read, not assumed. The subject goes to the object
 * field (or the first required one-line field), the text to the first multi-line field, and each
 * other required choice takes the answer that fits (« autre », by e-mail or phone when the author
 * left one). A form this cannot fill fails the intake's validation and the delivery is quarantined
 * with that reason.
 */
import type { Field, FormDefinition } from '../../procedures/form/definition.js';

const SUBJECT_NAMES = ['objet', 'subject', 'titre', 'title'];

/** The form's answers built from a post's subject and text. */
export function answersFromText(form: FormDefinition, post: { subject: string | null; text: string | null; sourceName: string; hasEmail: boolean; hasPhone: boolean }): Record<string, unknown> {
  const fields = form.pages.filter((p) => !p.visibleWhen).flatMap((p) => p.fields).filter((f) => !f.visibleWhen);
  const data: Record<string, unknown> = {};
  const text = post.text ?? post.subject ?? '';
  const subject = post.subject ?? (text ? text.split('\n')[0] ?? '' : '') ?? '';
  const subjectField = fields.find((f) => f.type === 'text' && SUBJECT_NAMES.includes(f.name.toLowerCase())) ?? fields.find((f) => f.type === 'text' && f.required && !f.pattern);
  if (subjectField?.type === 'text') data[subjectField.name] = fit(subject || `Publication reçue de ${post.sourceName}`, subjectField.minLength, subjectField.maxLength ?? 200);
  const bodyField = fields.find((f) => f.type === 'textarea');
  if (bodyField?.type === 'textarea') data[bodyField.name] = fit(text || '(publication sans texte)', bodyField.minLength, bodyField.maxLength ?? 10_000, post.sourceName);

  // « autre » for the nature of the request; the way to answer that the author made possible.
  const preferred = ['autre', ...(post.hasEmail ? ['courriel', 'email'] : []), ...(post.hasPhone ? ['telephone', 'sms'] : []), 'inconnu'];
  for (const field of fields as Field[]) {
    if (!field.required || field.name in data) continue;
    if (field.type === 'select' || field.type === 'radio') {
      const option = preferred.map((v) => field.options.find((o) => o.value.toLowerCase() === v)).find(Boolean) ?? field.options[0];
      if (option) data[field.name] = option.value;
    } else if (field.type === 'yesno') {
      data[field.name] = false;
    }
  }
  return data;
}

/** The text within the field's bounds: completed with its origin when too short, cut with « … » when too long (the full text stays in the case's history). */
function fit(value: string, minLength: number | undefined, maxLength: number, sourceName?: string): string {
  let text = value.trim();
  if (minLength !== undefined && text.length < minLength) text = `${text} (publication reçue de ${sourceName ?? 'la plateforme'})`.trim();
  if (text.length > maxLength) text = `${text.slice(0, maxLength - 1)}…`;
  return text;
}
