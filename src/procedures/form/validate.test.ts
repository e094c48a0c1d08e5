import { describe, expect, it } from 'vitest';
import type { Field, FormDefinition } from './definition.js';
import { formWith, schoolForm } from './test-fixtures.js';
import { listFields, validateSubmission } from './validate.js';
import type { FieldError, ValidationContext } from './validate.js';

const reject: ValidationContext = { hiddenFields: 'reject', today: '2025-06-15' };
const drop: ValidationContext = { hiddenFields: 'drop', today: '2025-06-15' };

/** Normalised value of a valid submission of a one-field form. */
function valueOf(field: Field, raw: unknown, ctx: ValidationContext = reject): unknown {
  const result = validateSubmission(formWith(field), { [field.name]: raw }, ctx);
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.value[field.name];
}

/** Errors of a submission expected to be refused. */
function errorsOf(def: FormDefinition, data: unknown, ctx: ValidationContext = reject): FieldError[] {
  const result = validateSubmission(def, data, ctx);
  if (result.ok) throw new Error(`unexpectedly valid: ${JSON.stringify(result.value)}`);
  return result.errors;
}

/** `[field, code]` pairs of the errors of a one-field form. */
function codesOf(field: Field, raw: unknown, ctx: ValidationContext = reject): [string, string][] {
  return errorsOf(formWith(field), { [field.name]: raw }, ctx).map((error) => [error.field, error.code]);
}

const validSchool = {
  civility: 'Mme',
  lastName: '  Dupont ',
  email: 'Camille.Dupont@Exemple.FR',
  phone: '06 12 34 56 78',
  home: { line1: '1 place de la Mairie', postcode: '69001', city: 'Lyon' },
  hasChildren: 'oui',
  children: [
    { firstName: 'Léa', birthDate: '2015-03-02', allergies: 'non' },
    { firstName: 'Hugo', birthDate: '12/10/2017', allergies: true, allergyDetails: 'Arachide\r\nLait' },
  ],
  guardian: 'member-1',
  canteen: 'some',
  days: ['mon', 'thu'],
  income: '1200',
  caf: '1234567',
  spot: { lat: '45.76', lon: 4.83, address: 'Hôtel de ville' },
  proof: 'att_12345678',
  start: '2025-09-02',
};

describe('validateSubmission — a whole form', () => {
  it('accepts and normalises a complete submission', () => {
    const result = validateSubmission(schoolForm, validSchool, { ...reject, householdMemberIds: ['member-1', 'member-2'] });
    expect(result).toEqual({
      ok: true,
      value: {
        civility: 'Mme',
        lastName: 'Dupont',
        email: 'Camille.Dupont@exemple.fr',
        phone: '+33612345678',
        home: { line1: '1 place de la Mairie', postcode: '69001', city: 'Lyon', country: 'FR' },
        hasChildren: true,
        children: [
          { firstName: 'Léa', birthDate: '2015-03-02', allergies: false },
          { firstName: 'Hugo', birthDate: '2017-10-12', allergies: true, allergyDetails: 'Arachide\nLait' },
        ],
        guardian: 'member-1',
        canteen: 'some',
        days: ['mon', 'thu'],
        income: 1200,
        caf: '1234567',
        spot: { lat: 45.76, lon: 4.83, address: 'Hôtel de ville' },
        proof: ['att_12345678'],
        start: '2025-09-02',
      },
    });
  });

  it('collects every error instead of stopping at the first', () => {
    const errors = errorsOf(schoolForm, {
      ...validSchool,
      lastName: ' ',
      email: 'camille@',
      phone: '12',
      home: { line1: '1 rue', postcode: '00100', city: '' },
      children: [{ firstName: 'Léa', birthDate: '2026-02-30', allergies: 'oui' }, 'junk'],
      days: ['mon', 'sun'],
      income: '12,5',
      caf: '12AB',
      surprise: 1,
    });
    expect(errors.map((error) => [error.field, error.code])).toEqual([
      ['lastName', 'required'],
      ['email', 'invalid_email'],
      ['phone', 'invalid_phone'],
      ['home.city', 'required'],
      ['home.postcode', 'invalid_postcode'],
      ['children[0].birthDate', 'invalid_date'],
      ['children[0].allergyDetails', 'required'],
      ['children[1]', 'invalid_type'],
      ['days', 'not_an_option'],
      ['income', 'not_integer'],
      ['caf', 'pattern'],
      ['surprise', 'unknown_field'],
    ]);
    expect(errors.find((error) => error.field === 'caf')?.message).toBe('Le numéro allocataire CAF comporte 7 chiffres.');
    expect(errors[0]!.message).toBe('Ce champ est obligatoire.');
    expect(errors[1]!.message).toBe('Saisissez une adresse électronique valide, par exemple nom@exemple.fr.');
  });

  it('does not require fields of a hidden page, and rejects or drops values sent for them', () => {
    const withoutChildren = { ...validSchool, hasChildren: false, canteen: 'none', days: undefined };
    const { children, guardian, ...rest } = withoutChildren;
    expect(validateSubmission(schoolForm, rest, reject).ok).toBe(true);
    expect(errorsOf(schoolForm, withoutChildren, reject)).toEqual([
      { field: 'children', code: 'hidden_field', message: 'Ce champ ne s’applique pas compte tenu des autres réponses : ne le renseignez pas.' },
      { field: 'guardian', code: 'hidden_field', message: 'Ce champ ne s’applique pas compte tenu des autres réponses : ne le renseignez pas.' },
    ]);
    const dropped = validateSubmission(schoolForm, withoutChildren, drop);
    expect(dropped.ok).toBe(true);
    expect(dropped.ok && Object.keys(dropped.value)).not.toContain('children');
    expect(children).toBeDefined();
    expect(guardian).toBe('member-1');
  });

  it('reports a missing required field of a visible page', () => {
    const { children: _children, ...data } = validSchool;
    expect(errorsOf(schoolForm, data)).toEqual([{ field: 'children', code: 'required', message: 'Ce champ est obligatoire.' }]);
  });

  it('refuses a household member outside the household, when the household is known', () => {
    expect(errorsOf(schoolForm, validSchool, { ...reject, householdMemberIds: ['member-2'] })).toEqual([
      { field: 'guardian', code: 'not_household_member', message: 'Cette personne ne fait pas partie de votre foyer.' },
    ]);
    expect(validateSubmission(schoolForm, validSchool, reject).ok).toBe(true);
  });
});

describe('validateSubmission — input shape', () => {
  it.each([null, undefined, 42, 'text', true, [], [{ a: 1 }], new Date(), new Map()])('refuses %j with one error on the whole submission', (data) => {
    expect(validateSubmission(schoolForm, data, reject)).toEqual({
      ok: false, errors: [{ field: '', code: 'invalid_type', message: 'Les données du formulaire doivent être un objet.' }],
    });
  });

  it('accepts objects without prototype', () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { a: 'x' });
    expect(validateSubmission(formWith({ type: 'text', name: 'a', label: 'A' }), data, reject)).toEqual({ ok: true, value: { a: 'x' } });
  });

  it('reports unknown keys, including __proto__ and constructor, without polluting anything', () => {
    const data = JSON.parse('{"a":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":"x"}') as unknown;
    const result = validateSubmission(formWith({ type: 'text', name: 'a', label: 'A' }), data, reject);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => [error.field, error.code])).toEqual([
      ['__proto__', 'unknown_field'], ['constructor', 'unknown_field'], ['toString', 'unknown_field'],
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('does not read inherited properties as answers', () => {
    const form = formWith({ type: 'text', name: 'toString', label: 'T', required: true });
    expect(errorsOf(form, {})).toEqual([{ field: 'toString', code: 'required', message: 'Ce champ est obligatoire.' }]);
  });

  it('drops optional blank answers from the value', () => {
    const form = formWith({ type: 'text', name: 'a', label: 'A' }, { type: 'checkboxes', name: 'b', label: 'B', options: [{ value: 'x', label: 'X' }] }, { type: 'address', name: 'c', label: 'C' });
    expect(validateSubmission(form, { a: '   ', b: [], c: { line1: '', postcode: '', city: '', country: 'FR' } }, reject)).toEqual({ ok: true, value: {} });
  });

  it('never throws on junk values, whatever the field type', () => {
    const junk: unknown[] = [null, 0, -1, NaN, Infinity, '', 'x'.repeat(100_000), true, [], [[]], {}, { a: { b: [] } }, [null, { __proto__: 1 }], () => 1, Symbol('s'), 10n];
    const fields = schoolForm.pages.flatMap((page) => page.fields);
    for (const value of junk) {
      const data = Object.fromEntries(fields.map((field) => [field.name, value]));
      expect(() => validateSubmission(schoolForm, data, reject)).not.toThrow();
      expect(() => validateSubmission(schoolForm, data, drop)).not.toThrow();
    }
  });
});

describe('validateSubmission — conditions', () => {
  const form = formWith(
    { type: 'radio', name: 'kind', label: 'Type', required: true, options: [{ value: 'person', label: 'Particulier' }, { value: 'company', label: 'Entreprise' }] },
    { type: 'number', name: 'age', label: 'Âge' },
    { type: 'text', name: 'siret', label: 'SIRET', required: true, visibleWhen: { field: 'kind', op: 'eq', value: 'company' } },
    { type: 'text', name: 'guardian', label: 'Tuteur', required: true, visibleWhen: { all: [{ field: 'kind', op: 'eq', value: 'person' }, { field: 'age', op: 'lt', value: 18 }] } },
    { type: 'text', name: 'note', label: 'Note', visibleWhen: { any: [{ field: 'siret', op: 'filled' }, { not: { field: 'age', op: 'filled' } }] } },
  );

  it('requires a conditional field only when it is visible', () => {
    expect(errorsOf(form, { kind: 'company' }).map((error) => error.field)).toEqual(['siret']);
    expect(validateSubmission(form, { kind: 'person', age: '30' }, reject)).toEqual({ ok: true, value: { kind: 'person', age: 30 } });
  });

  it('evaluates all, any and not', () => {
    expect(errorsOf(form, { kind: 'person', age: 12 }).map((error) => error.field)).toEqual(['guardian']);
    expect(validateSubmission(form, { kind: 'person', note: 'sans âge' }, reject).ok).toBe(true);
    expect(errorsOf(form, { kind: 'person', age: 40, note: 'x' })).toEqual([
      { field: 'note', code: 'hidden_field', message: 'Ce champ ne s’applique pas compte tenu des autres réponses : ne le renseignez pas.' },
    ]);
  });

  it('drops hidden values in drop mode, and they do not influence later conditions', () => {
    const result = validateSubmission(form, { kind: 'person', age: 40, siret: '123', note: 'x' }, drop);
    expect(result).toEqual({ ok: true, value: { kind: 'person', age: 40 } });
  });

  it('ignores blank values sent for hidden fields, even in reject mode', () => {
    expect(validateSubmission(form, { kind: 'person', age: 40, siret: '', note: ' ' }, reject).ok).toBe(true);
  });

  it('makes a field hidden when the field it depends on is invalid', () => {
    expect(errorsOf(form, { kind: 'person', age: 'douze' }).map((error) => [error.field, error.code])).toEqual([['age', 'invalid_number']]);
  });
});

describe('validateSubmission — groups', () => {
  const form = formWith(
    { type: 'yesno', name: 'school', label: 'Scolarisés ?' },
    {
      type: 'group', name: 'children', label: 'Enfants', minItems: 1, maxItems: 2,
      fields: [
        { type: 'text', name: 'firstName', label: 'Prénom', required: true },
        { type: 'text', name: 'schoolName', label: 'École', required: true, visibleWhen: { field: 'school', op: 'eq', value: true } },
        { type: 'yesno', name: 'sport', label: 'Sport ?' },
        { type: 'text', name: 'club', label: 'Club', visibleWhen: { field: 'sport', op: 'eq', value: true } },
      ],
    },
  );

  it('reports item errors with indexed paths', () => {
    expect(errorsOf(form, { school: 'oui', children: [{ firstName: 'A', schoolName: 'Jaurès' }, { firstName: '', club: 'USM', other: 1 }] })).toEqual([
      { field: 'children[1].firstName', code: 'required', message: 'Ce champ est obligatoire.' },
      { field: 'children[1].schoolName', code: 'required', message: 'Ce champ est obligatoire.' },
      { field: 'children[1].club', code: 'hidden_field', message: 'Ce champ ne s’applique pas compte tenu des autres réponses : ne le renseignez pas.' },
      { field: 'children[1].other', code: 'unknown_field', message: 'Ce champ n’existe pas dans le formulaire.' },
    ]);
  });

  it('resolves conditions on siblings of the same item, then on top-level fields', () => {
    const result = validateSubmission(form, { school: false, children: [{ firstName: 'A', sport: 'oui', club: 'USM' }, { firstName: 'B', sport: 'non', club: 'X' }] }, drop);
    expect(result).toEqual({ ok: true, value: { school: false, children: [{ firstName: 'A', sport: true, club: 'USM' }, { firstName: 'B', sport: false }] } });
  });

  it('bounds the number of items and checks their type', () => {
    expect(codesOf(form.pages[0]!.fields[1]!, [{ firstName: 'A' }, { firstName: 'B' }, { firstName: 'C' }])).toEqual([['children', 'too_many']]);
    expect(codesOf(form.pages[0]!.fields[1]!, 'A')).toEqual([['children', 'invalid_type']]);
    expect(codesOf(form.pages[0]!.fields[1]!, [null, [1]])).toEqual([['children[0]', 'invalid_type'], ['children[1]', 'invalid_type']]);
    const big = Array.from({ length: 1_000_000 }, () => ({}));
    expect(errorsOf(form, { children: big })).toEqual([{ field: 'children', code: 'too_many', message: 'Vous pouvez ajouter au plus 2 éléments.' }]);
  });

  it('applies minItems once the group is answered', () => {
    const group: Field = { type: 'group', name: 'g', label: 'G', minItems: 2, fields: [{ type: 'text', name: 'x', label: 'X' }] };
    expect(errorsOf(formWith(group), { g: [{ x: 'a' }] })).toEqual([{ field: 'g', code: 'too_few', message: 'Ajoutez au moins 2 éléments.' }]);
  });
});

describe('validateSubmission — text and textarea', () => {
  const text: Field = { type: 'text', name: 't', label: 'T', minLength: 2, maxLength: 5 };

  it('trims, composes accents (NFC) and removes control characters', () => {
    expect(valueOf(text, '  e\u0301té ')).toBe('été');
    expect(valueOf(text, 'a\u0000b\nc')).toBe('ab c');
    expect(valueOf({ type: 'textarea', name: 't', label: 'T' }, ' ligne 1\r\nligne 2\r ')).toBe('ligne 1\nligne 2');
  });

  it('counts characters as people do and reports length errors in French', () => {
    expect(valueOf(text, '😀😀😀😀😀')).toBe('😀😀😀😀😀');
    expect(errorsOf(formWith(text), { t: 'abcdef' })).toEqual([{ field: 't', code: 'too_long', message: 'Saisissez au plus 5 caractères (vous en avez saisi 6).' }]);
    expect(errorsOf(formWith(text), { t: 'a' })).toEqual([{ field: 't', code: 'too_short', message: 'Saisissez au moins 2 caractères.' }]);
  });

  it('applies the default maximum lengths', () => {
    expect(codesOf({ type: 'text', name: 't', label: 'T' }, 'x'.repeat(501))).toEqual([['t', 'too_long']]);
    expect(valueOf({ type: 'text', name: 't', label: 'T' }, 'x'.repeat(500))).toHaveLength(500);
    expect(codesOf({ type: 'textarea', name: 't', label: 'T' }, 'x'.repeat(10_001))).toEqual([['t', 'too_long']]);
    expect(codesOf({ type: 'text', name: 't', label: 'T' }, 'x'.repeat(5_000_000))).toEqual([['t', 'too_long']]);
  });

  it('matches the pattern against the whole value, with the French message of the definition', () => {
    const siret: Field = { type: 'text', name: 's', label: 'SIRET', pattern: '\\d{14}', patternMessage: 'Le SIRET comporte 14 chiffres.' };
    expect(valueOf(siret, ' 12345678901234 ')).toBe('12345678901234');
    expect(errorsOf(formWith(siret), { s: '123456789012345' })).toEqual([{ field: 's', code: 'pattern', message: 'Le SIRET comporte 14 chiffres.' }]);
    expect(errorsOf(formWith({ type: 'text', name: 's', label: 'S', pattern: '[A-Z]+' }), { s: 'abc' })[0]!.message).toBe('Le format de votre saisie n’est pas valide.');
  });

  it('refuses non-strings', () => {
    expect(codesOf(text, 12345)).toEqual([['t', 'invalid_type']]);
    expect(codesOf(text, { a: 1 })).toEqual([['t', 'invalid_type']]);
  });
});

describe('validateSubmission — email and phone', () => {
  const email: Field = { type: 'email', name: 'e', label: 'E' };
  const phone: Field = { type: 'phone', name: 'p', label: 'P' };

  it.each(['nom@exemple.fr', 'prenom.nom+tag@sous.domaine.gouv.fr', 'a_b@x-y.io'])('accepts %s', (value) => {
    expect(valueOf(email, value)).toBe(value);
  });

  it.each(['nom', 'nom@', '@exemple.fr', 'nom@exemple', 'nom @exemple.fr', 'nom@@exemple.fr', '.nom@exemple.fr', 'no..m@exemple.fr', 'nom@-exemple.fr', `${'a'.repeat(65)}@exemple.fr`])('refuses %s', (value) => {
    expect(errorsOf(formWith(email), { e: value })).toEqual([{ field: 'e', code: 'invalid_email', message: 'Saisissez une adresse électronique valide, par exemple nom@exemple.fr.' }]);
  });

  it('lower-cases the domain only', () => {
    expect(valueOf(email, ' Jean.Dupont@MAIRIE.fr ')).toBe('Jean.Dupont@mairie.fr');
  });

  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['01-23-45-67-89', '+33123456789'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['0690 12 34 56', '+590690123456'],
    ['0262 12 34 56', '+262262123456'],
  ])('normalises %s to %s', (input, e164) => {
    expect(valueOf(phone, input)).toBe(e164);
  });

  it.each(['12', '06 12 34 56', '06 12 34 56 78 90', '+33 6 12 34 56 78 ext 12', '06-12-34-56-78abc', '+99 123 456', 612345678])('refuses %j', (value) => {
    expect(errorsOf(formWith(phone), { p: value })).toEqual([{ field: 'p', code: 'invalid_phone', message: 'Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.' }]);
  });
});

describe('validateSubmission — numbers', () => {
  const number: Field = { type: 'number', name: 'n', label: 'N', min: 1, max: 10 };

  it('accepts numbers and numeric strings as HTML forms send them', () => {
    expect(valueOf(number, 3)).toBe(3);
    expect(valueOf(number, ' 7 ')).toBe(7);
    expect(valueOf(number, '2.5')).toBe(2.5);
    expect(valueOf(number, '2,5')).toBe(2.5);
    expect(valueOf({ type: 'number', name: 'n', label: 'N' }, '-0')).toBe(0);
  });

  it.each(['1e3', '0x10', '12abc', '1 000', '--1', '.5', 'Infinity'])('refuses the string %j', (value) => {
    expect(codesOf(number, value)).toEqual([['n', 'invalid_number']]);
  });

  it('refuses non-finite numbers and non-numbers', () => {
    expect(codesOf(number, Number.NaN)).toEqual([['n', 'invalid_number']]);
    expect(codesOf(number, true)).toEqual([['n', 'invalid_type']]);
    expect(codesOf(number, [3])).toEqual([['n', 'invalid_type']]);
  });

  it('reports out-of-range values with the bounds written the French way', () => {
    expect(errorsOf(formWith(number), { n: 11 })).toEqual([{ field: 'n', code: 'out_of_range', message: 'Saisissez un nombre compris entre 1 et 10.' }]);
    expect(errorsOf(formWith({ type: 'number', name: 'n', label: 'N', min: 0.5 }), { n: 0 })[0]!.message).toBe('Saisissez un nombre supérieur ou égal à 0,5.');
    expect(errorsOf(formWith({ type: 'number', name: 'n', label: 'N', max: 10000 }), { n: 20000 })[0]!.message).toBe('Saisissez un nombre inférieur ou égal à 10\u202f000.');
  });

  it('requires an integer when asked', () => {
    expect(errorsOf(formWith({ type: 'number', name: 'n', label: 'N', integer: true }), { n: '2,5' })).toEqual([{ field: 'n', code: 'not_integer', message: 'Saisissez un nombre entier, sans virgule.' }]);
  });
});

describe('validateSubmission — dates', () => {
  const date: Field = { type: 'date', name: 'd', label: 'D', min: '2020-01-01', max: '2025-12-31' };

  it('accepts ISO and French dates and stores ISO', () => {
    expect(valueOf(date, '2024-02-29')).toBe('2024-02-29');
    expect(valueOf(date, '1/3/2024')).toBe('2024-03-01');
  });

  it.each(['2026-02-30', '2023-02-29', '2024-13-01', '2024-1-1', '31/04/2024', 'demain', 20240101])('refuses %j', (value) => {
    expect(errorsOf(formWith(date), { d: value })).toEqual([{ field: 'd', code: 'invalid_date', message: 'Saisissez une date valide, par exemple 14/07/2025.' }]);
  });

  it('enforces bounds, including today', () => {
    expect(errorsOf(formWith(date), { d: '2019-12-31' })[0]).toEqual({ field: 'd', code: 'out_of_range', message: 'Saisissez une date à partir du 01/01/2020.' });
    expect(errorsOf(formWith(date), { d: '2026-01-01' })[0]!.message).toBe('Saisissez une date au plus tard le 31/12/2025.');
    const past: Field = { type: 'date', name: 'd', label: 'D', max: 'today' };
    expect(valueOf(past, '2025-06-15')).toBe('2025-06-15');
    expect(errorsOf(formWith(past), { d: '2025-06-16' })[0]!.message).toBe('La date ne peut pas être dans le futur.');
    const future: Field = { type: 'date', name: 'd', label: 'D', min: 'today' };
    expect(errorsOf(formWith(future), { d: '2025-06-14' })[0]!.message).toBe('La date ne peut pas être dans le passé.');
  });

  it('uses today in UTC when the context does not say', () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(codesOf({ type: 'date', name: 'd', label: 'D', max: 'today' }, tomorrow, { hiddenFields: 'reject' })).toEqual([['d', 'out_of_range']]);
  });
});

describe('validateSubmission — choices', () => {
  const options = [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }, { value: 'c', label: 'C' }];
  const select: Field = { type: 'select', name: 's', label: 'S', options };
  const checkboxes: Field = { type: 'checkboxes', name: 'c', label: 'C', options, minItems: 2, maxItems: 2 };

  it('accepts an option of select and radio, and refuses anything else', () => {
    expect(valueOf(select, ' b ')).toBe('b');
    expect(valueOf({ type: 'radio', name: 's', label: 'S', options }, 'c')).toBe('c');
    expect(errorsOf(formWith(select), { s: 'z' })).toEqual([{ field: 's', code: 'not_an_option', message: 'Choisissez une des options proposées.' }]);
    expect(codesOf(select, ['a'])).toEqual([['s', 'not_an_option']]);
    expect(codesOf(select, 'toString')).toEqual([['s', 'not_an_option']]);
  });

  it('reads checkboxes from a list or a single string, without duplicates', () => {
    expect(valueOf(checkboxes, ['a', 'c', 'a'])).toEqual(['a', 'c']);
    expect(valueOf({ ...checkboxes, minItems: 1 } as Field, 'b')).toEqual(['b']);
  });

  it('bounds the number of checked boxes', () => {
    expect(errorsOf(formWith(checkboxes), { c: ['a'] })).toEqual([{ field: 'c', code: 'too_few', message: 'Cochez au moins 2 cases.' }]);
    expect(errorsOf(formWith(checkboxes), { c: ['a', 'b', 'c'] })).toEqual([{ field: 'c', code: 'too_many', message: 'Cochez au plus 2 cases.' }]);
    expect(codesOf(checkboxes, ['a', 'x'])).toEqual([['c', 'not_an_option']]);
  });

  it('reads yes/no answers', () => {
    const yesno: Field = { type: 'yesno', name: 'y', label: 'Y', required: true };
    for (const [input, expected] of [[true, true], [false, false], ['oui', true], ['Non', false], ['true', true], [' FALSE ', false]] as const) {
      expect(valueOf(yesno, input)).toBe(expected);
    }
    expect(errorsOf(formWith(yesno), { y: 'peut-être' })).toEqual([{ field: 'y', code: 'not_an_option', message: 'Répondez par oui ou par non.' }]);
    expect(codesOf(yesno, 1)).toEqual([['y', 'not_an_option']]);
    expect(codesOf(yesno, '')).toEqual([['y', 'required']]);
  });
});

describe('validateSubmission — address and geolocation', () => {
  const address: Field = { type: 'address', name: 'a', label: 'Adresse' };

  it('normalises an address, defaulting the country to FR', () => {
    expect(valueOf(address, { line1: ' 3 rue de la Paix ', line2: '', postcode: '75 002', city: 'Paris', banId: '75102_7048_00003' })).toEqual({
      line1: '3 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR', banId: '75102_7048_00003',
    });
    expect(valueOf(address, { line1: '10 Downing Street', postcode: 'SW1A 2AA', city: 'London', country: 'gb' })).toEqual({
      line1: '10 Downing Street', postcode: 'SW1A 2AA', city: 'London', country: 'GB',
    });
  });

  it.each(['7500', '750011', '00100', 'ABCDE', '2A004'])('refuses the French postcode %s', (postcode) => {
    expect(errorsOf(formWith(address), { a: { line1: '1 rue', postcode, city: 'Ajaccio' } })).toEqual([
      { field: 'a.postcode', code: 'invalid_postcode', message: 'Saisissez un code postal valide de 5 chiffres, par exemple 75001.' },
    ]);
  });

  it('accepts overseas postcodes', () => {
    expect(valueOf(address, { line1: '1 rue', postcode: '97100', city: 'Basse-Terre' })).toMatchObject({ postcode: '97100' });
  });

  it('reports each faulty part of an address', () => {
    expect(codesOf(address, { line1: '', postcode: 75001, city: 'Paris', country: 'France', floor: 2 })).toEqual([
      ['a.floor', 'unknown_field'], ['a.line1', 'required'], ['a.postcode', 'invalid_type'], ['a.country', 'invalid_country'],
    ]);
    expect(codesOf(address, '1 rue de la Paix')).toEqual([['a', 'invalid_type']]);
    expect(codesOf({ ...address, required: true } as Field, { country: 'FR' })).toEqual([['a', 'required']]);
  });

  it('checks geolocations', () => {
    const geo: Field = { type: 'geolocation', name: 'g', label: 'G' };
    expect(valueOf(geo, { lat: 48.8566, lon: '2.3522' })).toEqual({ lat: 48.8566, lon: 2.3522 });
    expect(codesOf(geo, { lat: 91, lon: -181 })).toEqual([['g.lat', 'out_of_range'], ['g.lon', 'out_of_range']]);
    expect(codesOf(geo, { lat: 'nord', alt: 3 })).toEqual([['g.alt', 'unknown_field'], ['g.lat', 'invalid_number'], ['g.lon', 'required']]);
    expect(codesOf(geo, [48, 2])).toEqual([['g', 'invalid_type']]);
    // Without a map (no JavaScript, no tiles) the address alone is enough; a lone coordinate is not.
    expect(valueOf(geo, { lat: '', lon: '', address: ' 12 rue de la Gare ' })).toEqual({ address: '12 rue de la Gare' });
    expect(codesOf(geo, { lat: 48.1, lon: '', address: '12 rue de la Gare' })).toEqual([['g.lon', 'required']]);
    expect(codesOf({ ...geo, required: true }, { lat: '', lon: '', address: '' })).toEqual([['g', 'required']]);
    expect(errorsOf(formWith(geo), { g: { lat: -90.5, lon: 0 } })[0]!.message).toBe('La latitude doit être comprise entre -90 et 90.');
  });
});

describe('validateSubmission — files and household members', () => {
  const file: Field = { type: 'file', name: 'f', label: 'F', maxFiles: 2 };

  it('accepts attachment ids, as a list or a single id', () => {
    expect(valueOf(file, ['abcdefgh', 'ABC-123_xyz'])).toEqual(['abcdefgh', 'ABC-123_xyz']);
    expect(valueOf({ type: 'file', name: 'f', label: 'F' }, 'abcdefgh')).toEqual(['abcdefgh']);
  });

  it('checks the shape and number of ids only', () => {
    expect(codesOf(file, ['short'])).toEqual([['f', 'invalid_attachment']]);
    expect(codesOf(file, ['../../etc/passwd'])).toEqual([['f', 'invalid_attachment']]);
    expect(codesOf(file, [{ id: 'abcdefgh' }])).toEqual([['f', 'invalid_attachment']]);
    expect(errorsOf(formWith(file), { f: ['aaaaaaaa', 'bbbbbbbb', 'cccccccc'] })).toEqual([{ field: 'f', code: 'too_many', message: 'Vous pouvez joindre au plus 2 fichiers.' }]);
    expect(errorsOf(formWith({ type: 'file', name: 'f', label: 'F' }), { f: ['aaaaaaaa', 'bbbbbbbb'] })[0]!.message).toBe('Vous pouvez joindre au plus 1 fichier.');
  });

  it('checks household members against the household when it is known', () => {
    const member: Field = { type: 'householdMember', name: 'm', label: 'M' };
    expect(valueOf(member, 'm-1', { ...reject, householdMemberIds: ['m-1'] })).toBe('m-1');
    expect(valueOf(member, 'anyone')).toBe('anyone');
    expect(codesOf(member, 'm-2', { ...reject, householdMemberIds: ['m-1'] })).toEqual([['m', 'not_household_member']]);
    expect(codesOf(member, { id: 'm-1' })).toEqual([['m', 'invalid_type']]);
  });
});

describe('listFields', () => {
  it('lists top-level fields with their page, in order', () => {
    const listed = listFields(schoolForm).map(({ field, page }) => `${page.id}/${field.name}`);
    expect(listed.slice(0, 2)).toEqual(['demandeur/civility', 'demandeur/lastName']);
    expect(listed).toContain('enfants/children');
    expect(listed).toHaveLength(15);
  });
});
