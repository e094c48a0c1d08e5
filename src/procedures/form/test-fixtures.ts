/** Form definitions shared by the tests of this folder. */
import type { Field, FormDefinition } from './definition.js';

/** A one-page form holding the given fields, for focused tests. */
export function formWith(...fields: Field[]): FormDefinition {
  return { version: 1, pages: [{ id: 'page1', title: 'Page', fields }] };
}

/** A realistic procedure using every field type, conditions, a hidden page and a group. */
export const schoolForm: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'demandeur',
      title: 'Vous',
      fields: [
        { type: 'select', name: 'civility', label: 'Civilité', options: [{ value: 'M', label: 'Monsieur' }, { value: 'Mme', label: 'Madame' }], prefill: { from: 'citizen', path: 'civility' } },
        { type: 'text', name: 'lastName', label: 'Nom', required: true, maxLength: 100, prefill: { from: 'citizen', path: 'birthName' } },
        { type: 'email', name: 'email', label: 'Adresse électronique', required: true, prefill: { from: 'citizen', path: 'email' } },
        { type: 'phone', name: 'phone', label: 'Téléphone', prefill: { from: 'citizen', path: 'phone' } },
        { type: 'address', name: 'home', label: 'Adresse', required: true, prefill: { from: 'citizen', path: 'address' } },
        { type: 'yesno', name: 'hasChildren', label: 'Avez-vous des enfants à inscrire ?', required: true },
      ],
    },
    {
      id: 'enfants',
      title: 'Vos enfants',
      visibleWhen: { field: 'hasChildren', op: 'eq', value: true },
      fields: [
        {
          type: 'group', name: 'children', label: 'Enfants', required: true, minItems: 1, maxItems: 4,
          fields: [
            { type: 'text', name: 'firstName', label: 'Prénom', required: true },
            { type: 'date', name: 'birthDate', label: 'Date de naissance', required: true, min: '2010-01-01', max: 'today' },
            { type: 'yesno', name: 'allergies', label: 'Allergies ?' },
            { type: 'textarea', name: 'allergyDetails', label: 'Précisez', required: true, visibleWhen: { field: 'allergies', op: 'eq', value: true } },
          ],
        },
        { type: 'householdMember', name: 'guardian', label: 'Responsable', memberRole: 'adult', prefill: { from: 'household', role: 'adult' } },
      ],
    },
    {
      id: 'details',
      title: 'Précisions',
      fields: [
        { type: 'radio', name: 'canteen', label: 'Cantine', required: true, options: [{ value: 'none', label: 'Non' }, { value: 'some', label: 'Certains jours' }, { value: 'all', label: 'Tous les jours' }] },
        { type: 'checkboxes', name: 'days', label: 'Jours', required: true, minItems: 1, maxItems: 3, visibleWhen: { field: 'canteen', op: 'eq', value: 'some' }, options: [{ value: 'mon', label: 'Lundi' }, { value: 'tue', label: 'Mardi' }, { value: 'thu', label: 'Jeudi' }, { value: 'fri', label: 'Vendredi' }] },
        { type: 'number', name: 'income', label: 'Quotient familial', min: 0, max: 5000, integer: true },
        { type: 'text', name: 'caf', label: 'Numéro allocataire CAF', pattern: '[0-9]{7}', patternMessage: 'Le numéro allocataire CAF comporte 7 chiffres.' },
        { type: 'geolocation', name: 'spot', label: 'Lieu' },
        { type: 'file', name: 'proof', label: 'Justificatif de domicile', accept: ['application/pdf', 'image/*'], maxSizeBytes: 5_000_000, maxFiles: 2 },
        { type: 'date', name: 'start', label: 'Date de rentrée', min: '2025-09-01', max: '2026-07-04' },
      ],
    },
  ],
};
