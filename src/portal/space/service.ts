/**
 * The domain side of « Mon espace »: what the citizen may change on their record and how it is
 * checked. Forms are described in the form language so the one validator checks them with the
 * same rules and French messages as every procedure; routes only parse, call and render.
 */
import { profileRepository, type MemberInput } from '../../citizens/profile-repository.js';
import type { CitizenProfile } from '../../citizens/profile.js';
import type { Db } from '../../db/database.js';
import { transaction } from '../../db/transaction.js';
import { queueAccountMail } from '../../accounts/mail.js';
import type { AddressValue, FormDefinition } from '../../procedures/form/definition.js';
import { validateSubmission, type FieldError } from '../../procedures/form/validate.js';
import { spaceAccountRepository } from './account-repository.js';

/** Raw text of a form as posted (flat keys such as `address.postcode`). */
export type PostedForm = Record<string, string>;

/** A form to show again: what was typed, and the problems keyed by field path. */
export interface FormState {
  values: PostedForm;
  errors: Record<string, string>;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };


const IDENTITY_FIELDS = ['civility', 'firstNames', 'birthName', 'usageName', 'birthDate'] as const;
type IdentityField = (typeof IDENTITY_FIELDS)[number];

const identityFields: FormDefinition['pages'][number]['fields'] = [
  { type: 'select', name: 'civility', label: 'Civilité', options: [{ value: 'M', label: 'Monsieur' }, { value: 'Mme', label: 'Madame' }] },
  { type: 'text', name: 'firstNames', label: 'Prénom(s)', required: true, maxLength: 200 },
  { type: 'text', name: 'birthName', label: 'Nom de naissance', required: true, maxLength: 200 },
  { type: 'text', name: 'usageName', label: 'Nom d’usage', maxLength: 200 },
  { type: 'date', name: 'birthDate', label: 'Date de naissance', min: '1900-01-01', max: 'today' },
];
const contactFields: FormDefinition['pages'][number]['fields'] = [
  { type: 'phone', name: 'phone', label: 'Téléphone' },
  { type: 'address', name: 'address', label: 'Adresse postale' },
];
const formOf = (fields: FormDefinition['pages'][number]['fields']): FormDefinition => ({ version: 1, pages: [{ id: 'profil', title: 'Profil', fields }] });
const profileForm = formOf([...identityFields, ...contactFields]);
/** The identity fields without `required`: only to normalise values sent for a locked identity. */
const identityForm = formOf(identityFields.map((field) => ({ ...field, required: false })));
const contactForm = formOf(contactFields);

/** Relationships offered for a household member, in the order shown. */
export const RELATIONSHIPS = [
  { value: 'conjoint', label: 'Conjoint(e)' },
  { value: 'enfant', label: 'Enfant' },
  { value: 'autre', label: 'Autre' },
] as const;
export const ROLES = [
  { value: 'adult', label: 'Adulte' },
  { value: 'child', label: 'Enfant mineur' },
] as const;

const memberForm = formOf([
  { type: 'radio', name: 'relationship', label: 'Lien avec vous', required: true, options: RELATIONSHIPS.map((r) => ({ ...r })) },
  { type: 'radio', name: 'role', label: 'Cette personne est', required: true, options: ROLES.map((r) => ({ ...r })) },
  { type: 'text', name: 'firstNames', label: 'Prénom(s)', required: true, maxLength: 200 },
  { type: 'text', name: 'lastName', label: 'Nom', required: true, maxLength: 200 },
  { type: 'date', name: 'birthDate', label: 'Date de naissance', min: '1900-01-01', max: 'today' },
]);

/** Kinds of proof the safe files documents under. */
export const DOCUMENT_KINDS = [
  { value: 'justificatif_domicile', label: 'Justificatif de domicile' },
  { value: 'piece_identite', label: 'Pièce d’identité' },
  { value: 'livret_famille', label: 'Livret de famille' },
  { value: 'avis_imposition', label: 'Avis d’imposition' },
  { value: 'rib', label: 'RIB' },
  { value: 'autre', label: 'Autre' },
] as const;

const documentForm = formOf([
  { type: 'select', name: 'kind', label: 'Type de document', required: true, options: DOCUMENT_KINDS.map((k) => ({ ...k })) },
  { type: 'text', name: 'label', label: 'Nom du document', required: true, maxLength: 200 },
  { type: 'date', name: 'expiresOn', label: 'Date de fin de validité', min: '2000-01-01', max: '2100-12-31' },
]);

/** The label of a document kind, or the kind itself for one this version does not know. */
export function documentKindLabel(kind: string): string {
  return DOCUMENT_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/** The label of a relationship, or the stored text itself (set by an agent). */
export function relationshipLabel(relationship: string | null): string | null {
  if (relationship === null) return null;
  return RELATIONSHIPS.find((r) => r.value === relationship)?.label ?? relationship;
}

const pick = (posted: PostedForm, keys: readonly string[]): Record<string, string> =>
  Object.fromEntries(keys.filter((key) => Object.hasOwn(posted, key)).map((key) => [key, posted[key]!]));

function addressOf(posted: PostedForm): Record<string, string> | undefined {
  const parts = pick(posted, ['address.line1', 'address.line2', 'address.postcode', 'address.city']);
  if (Object.keys(parts).length === 0) return undefined;
  return Object.fromEntries(Object.entries(parts).map(([key, value]) => [key.slice('address.'.length), value]));
}

/** What the profile page may change, once checked. */
export interface ProfileChange {
  identity: { civility: 'M' | 'Mme' | null; firstNames: string | null; birthName: string | null; usageName: string | null; birthDate: string | null } | null;
  contacts: { phone: string | null; address: AddressValue | null };
}

const LOCKED_MESSAGE = 'Votre identité est certifiée : elle ne peut pas être modifiée ici. Pour la corriger, adressez-vous à la mairie.';

/**
 * Checks a posted profile. A certified identity (FranceConnect, checked at the counter) is locked:
 * any identity value that differs from the record is refused, whatever the page showed.
 */
export function checkProfile(profile: CitizenProfile, posted: PostedForm, today: string): Outcome<ProfileChange> {
  const address = addressOf(posted);
  const contacts = { ...pick(posted, ['phone']), ...(address ? { address } : {}) };
  const locked = profile.identityAssurance !== 'declared';
  if (locked) {
    const sent = pick(posted, IDENTITY_FIELDS);
    const checked = validateSubmission(identityForm, Object.fromEntries(Object.entries(sent).filter(([, v]) => v.trim() !== '')), { hiddenFields: 'reject', today });
    const changed = IDENTITY_FIELDS.filter((field) => Object.hasOwn(sent, field) && (!checked.ok || (checked.value[field] ?? null) !== (profile[field as IdentityField] ?? null)));
    if (changed.length > 0) return { ok: false, errors: [{ field: 'identity', code: 'identity_locked', message: LOCKED_MESSAGE }] };
    const result = validateSubmission(contactForm, contacts, { hiddenFields: 'reject', today });
    if (!result.ok) return result;
    return { ok: true, value: { identity: null, contacts: contactsOf(result.value) } };
  }
  const result = validateSubmission(profileForm, { ...pick(posted, IDENTITY_FIELDS), ...contacts }, { hiddenFields: 'reject', today });
  if (!result.ok) return result;
  const v = result.value as Record<string, string | undefined>;
  return {
    ok: true,
    value: {
      identity: {
        civility: v['civility'] === 'M' || v['civility'] === 'Mme' ? v['civility'] : null,
        firstNames: v['firstNames'] ?? null,
        birthName: v['birthName'] ?? null,
        usageName: v['usageName'] ?? null,
        birthDate: v['birthDate'] ?? null,
      },
      contacts: contactsOf(result.value),
    },
  };
}

function contactsOf(value: Record<string, unknown>): ProfileChange['contacts'] {
  return { phone: typeof value['phone'] === 'string' ? value['phone'] : null, address: (value['address'] as AddressValue | undefined) ?? null };
}

/** Saves a checked profile change. */
export async function saveProfile(db: Db, citizenId: number, change: ProfileChange, now: string): Promise<void> {
  await transaction(db, async (trx) => {
    if (change.identity) await profileRepository.updateIdentity(trx, citizenId, change.identity, now);
    await profileRepository.updateContacts(trx, citizenId, change.contacts, now);
  });
}

/** Checks a household member as typed; a spouse is an adult. */
export function checkMember(posted: PostedForm, today: string): Outcome<MemberInput> {
  const result = validateSubmission(memberForm, pick(posted, ['relationship', 'role', 'firstNames', 'lastName', 'birthDate']), { hiddenFields: 'reject', today });
  if (!result.ok) return result;
  const v = result.value as Record<string, string | undefined>;
  if (v['relationship'] === 'conjoint' && v['role'] === 'child') {
    return { ok: false, errors: [{ field: 'role', code: 'spouse_adult', message: 'Un conjoint ou une conjointe est une personne adulte.' }] };
  }
  return {
    ok: true,
    value: { relationship: v['relationship']!, role: v['role'] === 'child' ? 'child' : 'adult', firstNames: v['firstNames']!, lastName: v['lastName']!, birthDate: v['birthDate'] ?? null },
  };
}

/** Adds a member, creating the citizen's household on the first one. */
export async function addHouseholdMember(db: Db, profile: CitizenProfile, member: MemberInput, now: string): Promise<number> {
  return transaction(db, async (trx) => {
    const name = `Foyer de ${[profile.firstNames, profile.usageName ?? profile.birthName].filter(Boolean).join(' ') || 'l’usager'}`;
    const householdId = await profileRepository.ensureHousehold(trx, profile.id, name, now);
    return profileRepository.addMember(trx, householdId, member, now);
  });
}

/** What describes a proof filed in the safe, once checked. */
export interface DocumentMeta {
  kind: string;
  label: string;
  expiresOn: string | null;
}

/** Checks the description of an uploaded proof. */
export function checkDocument(posted: PostedForm, today: string): Outcome<DocumentMeta> {
  const result = validateSubmission(documentForm, pick(posted, ['kind', 'label', 'expiresOn']), { hiddenFields: 'reject', today });
  if (!result.ok) return result;
  const v = result.value as Record<string, string | undefined>;
  return { ok: true, value: { kind: v['kind']!, label: v['label']!, expiresOn: v['expiresOn'] ?? null } };
}

/** How a proof's validity reads: expired, expiring within 30 days, valid, or without end. */
export type Validity = { state: 'none' } | { state: 'valid' | 'soon' | 'expired'; on: string };

export function validityOf(expiresOn: string | null, today: string): Validity {
  if (expiresOn === null) return { state: 'none' };
  if (expiresOn < today) return { state: 'expired', on: expiresOn };
  const soon = new Date(`${today}T00:00:00Z`);
  soon.setUTCDate(soon.getUTCDate() + 30);
  return { state: expiresOn <= soon.toISOString().slice(0, 10) ? 'soon' : 'valid', on: expiresOn };
}

/** Checks the notification choice: SMS needs a mobile number on the profile. */
export function checkPreferences(posted: PostedForm, mobile: string | null): Outcome<{ notifyEmail: boolean; notifySms: boolean }> {
  const notifyEmail = posted['notifyEmail'] === '1';
  const notifySms = posted['notifySms'] === '1';
  if (notifySms && mobile === null) {
    return { ok: false, errors: [{ field: 'notifySms', code: 'mobile_required', message: 'Pour recevoir des SMS, ajoutez d’abord un numéro de téléphone mobile dans votre profil.' }] };
  }
  return { ok: true, value: { notifyEmail, notifySms } };
}

/** Checks the confirmation of an account deletion request: the box ticked and the account's e-mail typed. */
export function checkDeletionConfirmation(posted: PostedForm, accountEmail: string): Outcome<true> {
  const errors: FieldError[] = [];
  if (posted['confirm'] !== '1') errors.push({ field: 'confirm', code: 'required', message: 'Cochez la case pour confirmer votre demande.' });
  const typed = (posted['email'] ?? '').trim().toLowerCase();
  if (typed === '') errors.push({ field: 'email', code: 'required', message: 'Saisissez votre adresse électronique pour confirmer.' });
  else if (typed !== accountEmail.toLowerCase()) errors.push({ field: 'email', code: 'email_mismatch', message: 'Cette adresse n’est pas celle de votre compte.' });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: true };
}

/**
 * Records a request to delete the account and tells the town, in one transaction: the request
 * date, the mail to the organisation and the job that sends it. Erasure itself is done by the
 * town (its data protection officer), who knows what the law requires it to keep.
 */
export async function requestAccountDeletion(
  db: Db,
  request: { citizenId: number; organisationId: number; recipient: string; citizenName: string; accountEmail: string; publicUrl: string },
  now: string,
): Promise<{ mailId: number } | null> {
  return transaction(db, async (trx) => {
    if (!(await spaceAccountRepository.markDeletionRequested(trx, request.citizenId, now))) return null;
    const bodyText = [
      'Bonjour,',
      '',
      `Un usager demande la suppression de son compte sur le portail (${request.publicUrl}).`,
      '',
      `Usager : ${request.citizenName} (n° ${request.citizenId})`,
      `Adresse du compte : ${request.accountEmail}`,
      `Demande reçue le : ${now}`,
      '',
      'À faire : supprimer le compte, le porte-documents et le foyer déclaré ; conserver les dossiers pendant leur durée légale de conservation.',
      'Le RGPD (article 12) impose de répondre dans un délai d’un mois.',
    ].join('\n');
    const subject = `Demande de suppression de compte — usager n° ${request.citizenId}`;
    const mailId = await queueAccountMail(trx, request.organisationId, request.recipient, { kind: 'deletion_request', subject, text: bodyText }, now);
    return { mailId };
  });
}

/** Problems keyed by field path, for a form shown again. */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors) byField[error.field] ??= error.message;
  return byField;
}
