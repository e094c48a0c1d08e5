import { describe, expect, it } from 'vitest';
import { checkFormDefinition } from './check-definition.js';
import type { Field, FormDefinition } from './definition.js';
import { formWith, schoolForm } from './test-fixtures.js';

const text = (name: string, extra: Record<string, unknown> = {}): Field => ({ type: 'text', name, label: name, ...extra }) as Field;
const paths = (def: unknown): string[] => checkFormDefinition(def).map((error) => error.path);
const only = (def: unknown) => {
  const errors = checkFormDefinition(def);
  expect(errors).toHaveLength(1);
  return errors[0]!;
};

describe('checkFormDefinition — valid definitions', () => {
  it('accepts a realistic form using every field type', () => {
    expect(checkFormDefinition(schoolForm)).toEqual([]);
  });

  it('accepts nested all/any/not conditions on earlier fields', () => {
    const def = formWith(
      { type: 'number', name: 'age', label: 'Âge' },
      { type: 'yesno', name: 'resident', label: 'Résident ?' },
      text('why', { visibleWhen: { all: [{ any: [{ field: 'age', op: 'gte', value: 18 }, { not: { field: 'resident', op: 'eq', value: true } }] }, { field: 'age', op: 'filled' }] } }),
    );
    expect(checkFormDefinition(def)).toEqual([]);
  });
});

describe('checkFormDefinition — structure', () => {
  it('refuses what is not an object', () => {
    for (const def of [null, 42, 'form', [], undefined]) {
      expect(checkFormDefinition(def)).toEqual([{ path: '', message: 'La définition du formulaire doit être un objet JSON.' }]);
    }
  });

  it('reports the version, missing pages and unknown top-level properties', () => {
    expect(checkFormDefinition({ version: 2, extra: true })).toEqual([
      { path: 'pages', message: 'La propriété « pages » est obligatoire.' },
      { path: 'extra', message: 'Propriété inconnue « extra » : elle n’est pas prévue à cet endroit.' },
      { path: 'version', message: 'Doit valoir 1.' },
    ]);
  });

  it('requires at least one page', () => {
    expect(only({ version: 1, pages: [] })).toEqual({ path: 'pages', message: 'Le formulaire doit contenir au moins une page.' });
  });

  it('reports missing page properties and non-object fields', () => {
    expect(checkFormDefinition({ version: 1, pages: [{ id: 'p', fields: [42] }] })).toEqual([
      { path: 'pages[0].title', message: 'La propriété « title » est obligatoire.' },
      { path: 'pages[0].fields[0]', message: 'Un champ doit être un objet avec au moins « type », « name » et « label ».' },
    ]);
  });

  it('reports an unknown field type with the possible types', () => {
    const error = only(formWith({ type: 'color', name: 'c', label: 'C' } as unknown as Field));
    expect(error.path).toBe('pages[0].fields[0].type');
    expect(error.message).toMatch(/^Type de champ inconnu « color » ; types possibles : text, textarea, email/);
  });

  it('reports invalid names, properties foreign to the type and wrong property types', () => {
    const def = formWith({ type: 'email', name: 'Email', label: '', maxLength: 3, required: 'yes' } as unknown as Field);
    expect(checkFormDefinition(def)).toEqual([
      { path: 'pages[0].fields[0].maxLength', message: 'Propriété inconnue « maxLength » : elle n’est pas prévue à cet endroit.' },
      { path: 'pages[0].fields[0].name', message: 'Nom de champ invalide « Email » : il doit commencer par une lettre minuscule et ne contenir que des lettres, des chiffres et « _ » (par exemple « dateNaissance »).' },
      { path: 'pages[0].fields[0].label', message: 'Ne doit pas être vide.' },
      { path: 'pages[0].fields[0].required', message: 'Doit être un booléen (true ou false).' },
    ]);
  });

  it('refuses empty options with a precise message', () => {
    expect(only(formWith({ type: 'radio', name: 'r', label: 'R', options: [] }))).toEqual({
      path: 'pages[0].fields[0].options', message: 'La liste des options ne peut pas être vide.',
    });
  });

  it('refuses nested groups and empty groups', () => {
    const def = formWith({ type: 'group', name: 'g', label: 'G', fields: [{ type: 'group', name: 'h', label: 'H', fields: [] }] } as unknown as Field);
    expect(only(def)).toEqual({ path: 'pages[0].fields[0].fields[0].type', message: 'Un groupe ne peut pas contenir un autre groupe.' });
    expect(only(formWith({ type: 'group', name: 'g', label: 'G', fields: [] }))).toEqual({
      path: 'pages[0].fields[0].fields', message: 'Un groupe doit contenir au moins un champ.',
    });
  });

  it('checks date bounds and MIME types', () => {
    expect(checkFormDefinition(formWith(
      { type: 'date', name: 'd', label: 'D', min: 'yesterday', max: '2026-02-30' },
      { type: 'file', name: 'f', label: 'F', accept: ['pdf'] },
    ))).toEqual([
      { path: 'pages[0].fields[0].min', message: 'Borne de date invalide « yesterday » : écrivez une date au format AAAA-MM-JJ ou « today ».' },
      { path: 'pages[0].fields[0].max', message: 'La date « 2026-02-30 » n’existe pas.' },
      { path: 'pages[0].fields[1].accept[0]', message: 'Type MIME invalide « pdf » : écrivez par exemple « application/pdf » ou « image/* ».' },
    ]);
  });

  it('reports malformed conditions', () => {
    expect(checkFormDefinition(formWith(
      text('a'),
      text('b', { visibleWhen: { field: 'a', op: 'equals', value: 'x' } }),
      text('c', { visibleWhen: { all: [{ foo: 1 }, 'x'] } }),
      text('d', { visibleWhen: { any: [], not: { field: 'a', op: 'filled' } } }),
    ))).toEqual([
      { path: 'pages[0].fields[1].visibleWhen.op', message: 'Valeur « equals » non reconnue ; valeurs possibles : eq, neq, in, notIn, gt, gte, lt, lte, filled, empty, contains.' },
      { path: 'pages[0].fields[2].visibleWhen.all[0]', message: 'Condition non reconnue : utilisez « all », « any », « not » ou « field » avec « op ».' },
      { path: 'pages[0].fields[2].visibleWhen.all[1]', message: 'Une condition doit être un objet : { "all": […] }, { "any": […] }, { "not": … } ou { "field", "op", "value" }.' },
      { path: 'pages[0].fields[3].visibleWhen.not', message: 'Propriété inconnue « not » : elle n’est pas prévue à cet endroit.' },
    ]);
  });

  it('stops on absurdly deep conditions instead of overflowing', () => {
    let condition: unknown = { field: 'a', op: 'filled' };
    for (let i = 0; i < 10_000; i += 1) condition = { not: condition };
    const errors = checkFormDefinition(formWith(text('a'), text('b', { visibleWhen: condition })));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('Condition trop imbriquée : 20 niveaux au plus.');
  });
});

describe('checkFormDefinition — semantics', () => {
  it('reports duplicate page ids and duplicate field names across pages', () => {
    const def: FormDefinition = {
      version: 1,
      pages: [
        { id: 'p', title: 'Un', fields: [text('name')] },
        { id: 'p', title: 'Deux', fields: [text('other'), text('name')] },
      ],
    };
    expect(checkFormDefinition(def)).toEqual([
      { path: 'pages[1].id', message: 'L’identifiant de page « p » est déjà utilisé par pages[0].' },
      { path: 'pages[1].fields[1].name', message: 'Le nom « name » est déjà utilisé dans le formulaire par pages[0].fields[0].' },
    ]);
  });

  it('scopes group field names to their group', () => {
    const def = formWith(text('firstName'), {
      type: 'group', name: 'children', label: 'Enfants',
      fields: [text('firstName'), text('age'), text('age')] as never,
    });
    expect(checkFormDefinition(def)).toEqual([
      { path: 'pages[0].fields[1].fields[2].name', message: 'Le nom « age » est déjà utilisé dans ce groupe par pages[0].fields[1].fields[1].' },
    ]);
  });

  it('reports conditions on unknown fields, later pages, later fields and the field itself', () => {
    const def: FormDefinition = {
      version: 1,
      pages: [
        { id: 'p1', title: 'Un', fields: [
          text('a', { visibleWhen: { field: 'nope', op: 'filled' } }),
          text('b', { visibleWhen: { field: 'c', op: 'filled' } }),
          text('self', { visibleWhen: { field: 'self', op: 'filled' } }),
          text('next', { visibleWhen: { field: 'later', op: 'filled' } }),
        ] },
        { id: 'p2', title: 'Deux', visibleWhen: { field: 'later', op: 'filled' }, fields: [text('c'), text('later')] },
      ],
    };
    expect(checkFormDefinition(def)).toEqual([
      { path: 'pages[0].fields[0].visibleWhen.field', message: 'Aucun champ ne s’appelle « nope » dans ce formulaire.' },
      { path: 'pages[0].fields[1].visibleWhen.field', message: 'Le champ « c » se trouve sur une page suivante (pages[1].fields[0]) : une condition ne peut dépendre que des pages précédentes ou de champs placés avant sur la même page.' },
      { path: 'pages[0].fields[2].visibleWhen.field', message: 'Une condition ne peut pas dépendre du champ qu’elle affiche ou masque.' },
      { path: 'pages[0].fields[3].visibleWhen.field', message: 'Le champ « later » se trouve sur une page suivante (pages[1].fields[1]) : une condition ne peut dépendre que des pages précédentes ou de champs placés avant sur la même page.' },
      { path: 'pages[1].visibleWhen.field', message: 'Le champ « later » est sur cette même page : l’affichage d’une page ne peut dépendre que des pages précédentes.' },
    ]);
  });

  it('refuses a condition on a field placed after it on the same page', () => {
    expect(only(formWith(text('a', { visibleWhen: { field: 'b', op: 'filled' } }), text('b')))).toEqual({
      path: 'pages[0].fields[0].visibleWhen.field',
      message: 'Le champ « b » est placé après ce champ (pages[0].fields[1]) : une condition ne peut dépendre que de champs placés avant.',
    });
  });

  it('resolves names inside a group against siblings first, then top-level fields', () => {
    const def = formWith(
      { type: 'yesno', name: 'flag', label: 'Drapeau' },
      { type: 'group', name: 'items', label: 'Éléments', fields: [
        text('x'),
        text('y', { visibleWhen: { all: [{ field: 'x', op: 'eq', value: 'ok' }, { field: 'flag', op: 'eq', value: true }] } }),
        text('z', { visibleWhen: { field: 'items', op: 'filled' } }),
      ] as never },
      text('outside', { visibleWhen: { field: 'x', op: 'filled' } }),
    );
    expect(checkFormDefinition(def)).toEqual([
      { path: 'pages[0].fields[1].fields[2].visibleWhen.field', message: 'Une condition ne peut pas dépendre du groupe qui la contient.' },
      { path: 'pages[0].fields[2].visibleWhen.field', message: 'Le champ « x » appartient au groupe « items » : seule une condition à l’intérieur de ce groupe peut en dépendre.' },
    ]);
  });

  it('checks operators and compared values against the target field', () => {
    const def = formWith(
      { type: 'select', name: 's', label: 'S', options: [{ value: 'a', label: 'A' }] },
      { type: 'yesno', name: 'yn', label: 'YN' },
      { type: 'address', name: 'addr', label: 'Adresse' },
      { type: 'number', name: 'n', label: 'N' },
      text('t1', { visibleWhen: { field: 's', op: 'eq', value: 'b' } }),
      text('t2', { visibleWhen: { field: 'yn', op: 'eq', value: 'oui' } }),
      text('t3', { visibleWhen: { field: 'addr', op: 'eq', value: 'x' } }),
      text('t4', { visibleWhen: { field: 'n', op: 'gt' } }),
      text('t5', { visibleWhen: { field: 's', op: 'in', value: ['a', 'z'] } }),
      text('t6', { visibleWhen: { field: 'n', op: 'filled', value: 1 } }),
      text('t7', { visibleWhen: { field: 'n', op: 'lt', value: '3' } }),
    );
    expect(checkFormDefinition(def)).toEqual([
      { path: 'pages[0].fields[4].visibleWhen.value', message: 'La valeur "b" ne fait pas partie des options du champ « s ».' },
      { path: 'pages[0].fields[5].visibleWhen.value', message: 'Le champ « yn » est une question oui/non : comparez-le à true ou false.' },
      { path: 'pages[0].fields[6].visibleWhen.op', message: 'L’opérateur « eq » ne s’applique pas au champ « addr » (type address) ; opérateurs possibles : filled, empty.' },
      { path: 'pages[0].fields[7].visibleWhen.value', message: 'L’opérateur « gt » a besoin d’une valeur à comparer (propriété « value »).' },
      { path: 'pages[0].fields[8].visibleWhen.value[1]', message: 'La valeur "z" ne fait pas partie des options du champ « s ».' },
      { path: 'pages[0].fields[9].visibleWhen.value', message: 'L’opérateur « filled » ne prend pas de valeur : retirez « value ».' },
      { path: 'pages[0].fields[10].visibleWhen.value', message: 'Le champ « n » est numérique : comparez-le à un nombre.' },
    ]);
  });

  it('reports duplicate option values and impossible bounds', () => {
    expect(checkFormDefinition(formWith(
      { type: 'select', name: 's', label: 'S', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }, { value: 'a', label: 'A bis' }] },
      { type: 'text', name: 't', label: 'T', minLength: 600 },
      { type: 'textarea', name: 'ta', label: 'TA', minLength: 10, maxLength: 5 },
      { type: 'number', name: 'n', label: 'N', min: 10, max: 1 },
      { type: 'date', name: 'd', label: 'D', min: '2026-01-01', max: '2025-01-01' },
      { type: 'checkboxes', name: 'c', label: 'C', minItems: 3, options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
      { type: 'group', name: 'g', label: 'G', minItems: 30, fields: [text('x')] as never },
    ))).toEqual([
      { path: 'pages[0].fields[0].options[2].value', message: 'La valeur « a » est déjà utilisée par pages[0].fields[0].options[0].' },
      { path: 'pages[0].fields[1].minLength', message: 'minLength (600) ne peut pas dépasser maxLength (500, valeur par défaut pour ce type).' },
      { path: 'pages[0].fields[2].minLength', message: 'minLength (10) ne peut pas dépasser maxLength (5).' },
      { path: 'pages[0].fields[3].min', message: 'min (10) ne peut pas dépasser max (1).' },
      { path: 'pages[0].fields[4].min', message: 'min (2026-01-01) ne peut pas être postérieure à max (2025-01-01).' },
      { path: 'pages[0].fields[5].minItems', message: 'minItems (3) dépasse le nombre d’options (2).' },
      { path: 'pages[0].fields[6].minItems', message: 'minItems (30) ne peut pas dépasser maxItems (20, valeur par défaut pour ce type).' },
    ]);
  });

  it('reports a regex that does not compile, and a patternMessage without pattern', () => {
    expect(checkFormDefinition(formWith(text('a', { pattern: '[0-9' }), text('b', { patternMessage: 'Format attendu : AB12.' })))).toEqual([
      { path: 'pages[0].fields[0].pattern', message: 'Expression régulière invalide « [0-9 » : elle ne peut pas être compilée.' },
      { path: 'pages[0].fields[1].patternMessage', message: '« patternMessage » n’a de sens qu’avec « pattern ».' },
    ]);
  });

  it('reports prefill sources that do not fit the field type', () => {
    expect(checkFormDefinition(formWith(
      { type: 'number', name: 'n', label: 'N', prefill: { from: 'citizen', path: 'birthDate' } },
      { type: 'text', name: 't', label: 'T', prefill: { from: 'household', role: 'any' } },
      { type: 'householdMember', name: 'h', label: 'H', memberRole: 'child', prefill: { from: 'household', role: 'adult' } },
      { type: 'email', name: 'e', label: 'E', prefill: { from: 'citizen', path: 'nickname' } } as unknown as Field,
      { type: 'phone', name: 'p', label: 'P', prefill: { from: 'ants' } } as unknown as Field,
    ))).toEqual([
      { path: 'pages[0].fields[0].prefill', message: 'Un champ de type « number » ne peut pas être prérempli avec « birthDate » du profil usager (types compatibles : date).' },
      { path: 'pages[0].fields[1].prefill', message: 'Un champ de type « text » ne peut pas être prérempli depuis le foyer : seul un champ householdMember le peut.' },
      { path: 'pages[0].fields[2].prefill.role', message: 'Le rôle « adult » contredit memberRole (« child ») du champ.' },
      { path: 'pages[0].fields[3].prefill.path', message: 'Valeur « nickname » non reconnue ; valeurs possibles : civility, firstNames, birthName, usageName, birthDate, email, phone, address.' },
      { path: 'pages[0].fields[4].prefill.from', message: 'Valeur « ants » non reconnue ; valeurs possibles : citizen, household.' },
    ]);
  });

  it('returns paths that all start from the document root', () => {
    expect(paths(formWith(text('a', { visibleWhen: { field: 'zz', op: 'filled' } })))).toEqual(['pages[0].fields[0].visibleWhen.field']);
  });
});
