/**
 * Fills the triage procedure's form (CHANNELS_TRIAGE_PROCEDURE, the demo's « Contacter la mairie »)
 * from an SMS, which has no form: the text goes into the first multi-line field, a « SMS du … »
 * title into the required one-line fields, and choices take the answer that fits a text message
 * (« sms », « téléphone », « autre », « je ne sais pas ») when the form offers one. A form this
 * cannot fill fails the intake's validation, and the SMS is quarantined with that reason.
 */
import type { Field, FormDefinition } from '../../procedures/form/definition.js';

/** Choice values that suit a request that came by SMS, best first. */
const PREFERRED_CHOICES = ['sms', 'telephone', 'autre', 'inconnu'];

export function triageData(form: FormDefinition, sms: { text: string; from: string }): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const title = `SMS du ${sms.from}`;
  let textPlaced = false;
  for (const page of form.pages) {
    if (page.visibleWhen) continue;
    for (const field of page.fields) {
      if (field.visibleWhen) continue;
      const value = valueFor(field, { text: sms.text, title, from: sms.from, textPlaced });
      if (value === undefined) continue;
      if (field.type === 'textarea') textPlaced = true;
      data[field.name] = value;
    }
  }
  return data;
}

function valueFor(field: Field, sms: { text: string; title: string; from: string; textPlaced: boolean }): unknown {
  switch (field.type) {
    case 'textarea': {
      if (sms.textPlaced) return undefined;
      // A short SMS (« Oui », « Merci ») would fail a minimum length: the sender's mention completes it.
      const text = sms.text.length >= (field.minLength ?? 1) ? sms.text : `${sms.text}\n\n(${sms.title})`.trim();
      return text.slice(0, field.maxLength ?? 10_000);
    }
    case 'text':
      return field.required && !field.pattern ? sms.title.slice(0, field.maxLength ?? 500) : undefined;
    case 'phone':
      return sms.from;
    case 'select':
    case 'radio': {
      const preferred = PREFERRED_CHOICES.find((value) => field.options.some((o) => o.value === value));
      return preferred ?? (field.required ? field.options[0]?.value : undefined);
    }
    case 'yesno':
      return field.required ? false : undefined;
    default:
      return undefined;
  }
}
