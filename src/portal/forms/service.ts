/**
 * The online form flow, without HTTP: which pages a draft shows given its answers, which errors
 * belong to a page, what the contact step asks, and what is handed to THE intake on submission.
 * Answers are kept raw in the draft (as posted) and normalised by the one validator on demand.
 */
import { randomBytes } from 'node:crypto';
import type { FieldError } from '../../http/errors.js';
import { citizenForm } from '../../intake/citizen-form.js';
import type { Field, FormDefinition, FormPage, LeafField } from '../../procedures/form/definition.js';
import { isVisible } from '../../procedures/form/conditions.js';
import { validateSubmission } from '../../procedures/form/validate.js';
import type { CitizenProfile } from '../../citizens/profile.js';

/** The contact step's and the review's slugs in URLs (page ids are free, but these two are reserved words of ours). */
export const CONTACT_STEP = 'coordonnees';
export const REVIEW_STEP = 'recapitulatif';

/** A new draft's id: 16 random bytes, unguessable, URL-safe. */
export function newDraftId(): string {
  return randomBytes(16).toString('base64url');
}

/** The top-level field name of a path: `adresse.postcode` → `adresse`, `responsables[0].nom` → `responsables`. */
export function topLevelName(path: string): string {
  return path.split(/[.[]/, 1)[0] ?? '';
}

/** A copy of the form where nothing is mandatory: what remains are the checks on values actually given. */
function relaxed(form: FormDefinition): FormDefinition {
  const loosen = <F extends Field>(field: F): F => {
    const copy = { ...field, required: false } as F & { minItems?: number };
    delete copy.minItems;
    if (copy.type === 'group') return { ...copy, fields: copy.fields.map((f) => loosen(f as LeafField)) } as F;
    return copy;
  };
  return { version: 1, pages: form.pages.map((page) => ({ ...page, fields: page.fields.map(loosen) })) };
}

/**
 * The answers that are valid so far, normalised as the validator normalises them (booleans, numbers,
 * E.164 phones…): conditions are evaluated on these, exactly as at submission. An invalid answer
 * counts as no answer.
 */
export function normalisedAnswers(form: FormDefinition, raw: Record<string, unknown>, householdMemberIds?: string[]): Record<string, unknown> {
  const loose = relaxed(form);
  let data = { ...raw };
  for (let attempt = 0; attempt < 100; attempt++) {
    const result = validateSubmission(loose, data, { hiddenFields: 'drop', ...(householdMemberIds ? { householdMemberIds } : {}) });
    if (result.ok) return result.value;
    const wrong = new Set(result.errors.map((e) => topLevelName(e.field)));
    const next = Object.fromEntries(Object.entries(data).filter(([key]) => !wrong.has(key)));
    if (Object.keys(next).length === Object.keys(data).length) return {};
    data = next;
  }
  return {};
}

/** The pages shown for these (normalised) answers, in order. */
export function visiblePages(form: FormDefinition, values: Record<string, unknown>): FormPage[] {
  return form.pages.filter((page) => isVisible(page.visibleWhen, values));
}

/** One step of the flow, as the progress indicator lists it. */
export interface Step {
  id: string;
  title: string;
}

/** Every step a draft goes through now: its visible pages, "Vos coordonnées" when signed out, the review. */
export function stepsOf(pages: FormPage[], signedIn: boolean): Step[] {
  return [
    ...pages.map((p) => ({ id: p.id, title: p.title })),
    ...(signedIn ? [] : [{ id: CONTACT_STEP, title: 'Vos coordonnées' }]),
    { id: REVIEW_STEP, title: 'Vérification et envoi' },
  ];
}

/** The step after `current` (a page id or the contact step). */
export function nextStep(steps: Step[], current: string): string {
  const index = steps.findIndex((s) => s.id === current);
  return steps[index + 1]?.id ?? REVIEW_STEP;
}

/** The step before `current`, or null on the first one. */
export function previousStep(steps: Step[], current: string): string | null {
  const index = steps.findIndex((s) => s.id === current);
  return index > 0 ? steps[index - 1]!.id : null;
}

export interface ValidationOptions {
  householdMemberIds?: string[];
}

/** The whole draft validated as it will be submitted (hidden answers dropped). */
export function validateDraft(form: FormDefinition, raw: Record<string, unknown>, options: ValidationOptions) {
  return validateSubmission(form, raw, { hiddenFields: 'drop', ...(options.householdMemberIds ? { householdMemberIds: options.householdMemberIds } : {}) });
}

/** The errors of the whole draft that concern this page's fields (the other pages are checked when reached). */
export function pageErrors(form: FormDefinition, page: FormPage, raw: Record<string, unknown>, options: ValidationOptions): FieldError[] {
  const result = validateDraft(form, raw, options);
  if (result.ok) return [];
  const names = new Set(page.fields.map((f) => f.name));
  return result.errors.filter((e) => names.has(topLevelName(e.field)));
}

/** The first visible page holding one of these errors (submission errors are corrected where they arise). */
export function pageOfErrors(pages: FormPage[], errors: FieldError[]): FormPage | undefined {
  const names = new Set(errors.map((e) => topLevelName(e.field)));
  return pages.find((page) => page.fields.some((f) => names.has(f.name)));
}

/** Who asks, as the contact step stores it in the draft. */
export type DraftContact =
  | { mode: 'identified'; raw: Record<string, unknown>; citizen: Record<string, unknown> }
  | { mode: 'anonymous'; raw: Record<string, unknown>; email: string | null };

const citizenField = (name: string): LeafField => {
  const field = citizenForm.pages[0]!.fields.find((f) => f.name === name);
  if (!field || field.type === 'group') throw new Error(`citizenForm has no field ${name}`);
  return field;
};

const IDENTIFIED = { field: 'mode', op: 'eq', value: 'identifie' } as const;

/**
 * The contact step of a signed-out visitor: who asks and how to answer them, the fields of the
 * intake's `citizenForm` (same rules, same messages), and for procedures open to anonymous
 * requests a choice to stay anonymous with an optional e-mail.
 */
export function contactForm(allowAnonymous: boolean): FormDefinition {
  const when = allowAnonymous ? { visibleWhen: IDENTIFIED } : {};
  const identity: Field[] = [
    { ...citizenField('civility'), ...when },
    { ...citizenField('firstNames'), required: true, ...when },
    { ...citizenField('lastName'), label: 'Nom', required: true, ...when },
    { ...citizenField('email'), hint: 'Pour recevoir l’accusé de réception et la réponse.', ...when },
    { ...citizenField('phone'), ...when },
    { ...citizenField('address'), ...when },
  ];
  const fields: Field[] = allowAnonymous
    ? [
        {
          type: 'radio',
          name: 'mode',
          label: 'Comment souhaitez-vous faire cette demande ?',
          required: true,
          options: [
            { value: 'identifie', label: 'En donnant mes coordonnées' },
            { value: 'anonyme', label: 'Rester anonyme' },
          ],
        },
        ...identity,
        {
          type: 'email',
          name: 'emailAnonyme',
          label: 'Adresse électronique (facultatif)',
          hint: 'Pour recevoir l’accusé de réception et être prévenu de la suite donnée. Elle ne sera utilisée pour rien d’autre.',
          visibleWhen: { field: 'mode', op: 'eq', value: 'anonyme' },
        },
      ]
    : identity;
  return { version: 1, pages: [{ id: CONTACT_STEP, title: 'Vos coordonnées', fields }] };
}

const IDENTITY_NAMES = ['civility', 'firstNames', 'lastName', 'email', 'phone', 'address'];
const NO_CONTACT = 'Indiquez au moins un moyen de vous répondre : adresse électronique, téléphone ou adresse postale.';

/** Checks the contact step's raw answers; on success, what to store in the draft. */
export function checkContact(allowAnonymous: boolean, raw: Record<string, unknown>): { ok: true; contact: DraftContact } | { ok: false; errors: FieldError[] } {
  const result = validateSubmission(contactForm(allowAnonymous), raw, { hiddenFields: 'drop' });
  if (!result.ok) return result;
  const value = result.value;
  if (allowAnonymous && value['mode'] === 'anonyme') {
    return { ok: true, contact: { mode: 'anonymous', raw, email: typeof value['emailAnonyme'] === 'string' ? value['emailAnonyme'] : null } };
  }
  const citizen = Object.fromEntries(Object.entries(value).filter(([key]) => IDENTITY_NAMES.includes(key)));
  // The intake's own form decides what a valid citizen is.
  const checked = validateSubmission(citizenForm, citizen, { hiddenFields: 'reject' });
  if (!checked.ok) return checked;
  if (!checked.value['email'] && !checked.value['phone'] && !checked.value['address']) {
    return { ok: false, errors: [{ field: 'email', code: 'required', message: NO_CONTACT }] };
  }
  return { ok: true, contact: { mode: 'identified', raw, citizen: checked.value } };
}

/** What a stored contact hands to the intake as `citizen` (null: anonymous without an e-mail). */
export function citizenOfContact(contact: DraftContact): Record<string, unknown> | null {
  if (contact.mode === 'identified') return contact.citizen;
  return contact.email ? { email: contact.email } : null;
}

/** The e-mail a contact gave, if any. */
export function emailOfContact(contact: DraftContact | null): string | null {
  if (!contact) return null;
  if (contact.mode === 'anonymous') return contact.email;
  return typeof contact.citizen['email'] === 'string' ? contact.citizen['email'] : null;
}

/** A stored contact read back from the draft's JSON, or null when absent or not of a known shape. */
export function parseContact(stored: Record<string, unknown> | null): DraftContact | null {
  if (!stored || typeof stored['raw'] !== 'object' || stored['raw'] === null) return null;
  if (stored['mode'] === 'identified' && typeof stored['citizen'] === 'object' && stored['citizen'] !== null) return stored as DraftContact;
  if (stored['mode'] === 'anonymous') return stored as DraftContact;
  return null;
}

/** A signed-in citizen as the intake receives them: the profile's contacts, so the acknowledgment reaches them. */
export function citizenOfProfile(profile: CitizenProfile | undefined): Record<string, unknown> | null {
  if (!profile?.email && !profile?.phone) return null;
  return { ...(profile.email ? { email: profile.email } : {}), ...(profile.phone ? { phone: profile.phone } : {}) };
}

