import type { FormDefinition } from '../procedures/form/definition.js';

/**
 * Who is asking, described in the form language itself so that the one validator checks it with
 * the same rules and French messages as any procedure field.
 */
export const citizenForm: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'usager',
      title: 'Identité et coordonnées',
      fields: [
        {
          type: 'select',
          name: 'civility',
          label: 'Civilité',
          options: [
            { value: 'M', label: 'Monsieur' },
            { value: 'Mme', label: 'Madame' },
          ],
        },
        { type: 'text', name: 'firstNames', label: 'Prénom(s)', maxLength: 200 },
        { type: 'text', name: 'lastName', label: 'Nom de naissance', maxLength: 200 },
        { type: 'text', name: 'usageName', label: 'Nom d’usage', maxLength: 200 },
        { type: 'date', name: 'birthDate', label: 'Date de naissance', min: '1900-01-01', max: 'today' },
        { type: 'email', name: 'email', label: 'Adresse électronique' },
        { type: 'phone', name: 'phone', label: 'Téléphone' },
        { type: 'address', name: 'address', label: 'Adresse postale' },
      ],
    },
  ],
};
