/**
 * The form-definition language of Guichet: every procedure (démarche) stores one
 * `FormDefinition` as JSON. This module holds the TypeScript types of the language,
 * its defaults and the TypeBox schema used to document it (OpenAPI) and to check it
 * structurally (see `check-definition.ts`).
 */
import { Type } from 'typebox';
import type { TObject, TProperties, TSchema } from 'typebox';

/** Field names are identifiers so they can be used as JSON keys and in paths like `children[0].firstName`. */
export const FIELD_NAME_PATTERN = '^[a-z][a-zA-Z0-9_]*$';
/** Page ids appear in portal URLs, so they are URL-safe. */
export const PAGE_ID_PATTERN = '^[A-Za-z0-9_-]+$';
/** Bound for `date` fields: an ISO date or the literal `today` (resolved at validation time). */
export const DATE_BOUND_PATTERN = '^(today|[0-9]{4}-[0-9]{2}-[0-9]{2})$';
/** A MIME type such as `application/pdf`, or a wildcard such as `image/*`. */
export const MIME_TYPE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*|\\*)$';

/** Defaults applied when the definition leaves a bound out. */
export const DEFAULTS = {
  textMaxLength: 500,
  textareaMaxLength: 10_000,
  maxFiles: 1,
  groupMaxItems: 20,
  country: 'FR',
} as const;

/** Every field type of the language, in documentation order. */
export const FIELD_TYPES = [
  'text', 'textarea', 'email', 'phone', 'number', 'date', 'select', 'radio', 'checkboxes',
  'yesno', 'address', 'geolocation', 'file', 'householdMember', 'group',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Comparison operators usable in a field condition. */
export const CONDITION_OPERATORS = [
  'eq', 'neq', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'filled', 'empty', 'contains',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** Citizen-profile attributes a field can be prefilled from. */
export const CITIZEN_PATHS = [
  'civility', 'firstNames', 'birthName', 'usageName', 'birthDate', 'email', 'phone', 'address',
] as const;
export type CitizenPath = (typeof CITIZEN_PATHS)[number];

/** Who in the household a `householdMember` field (or a household prefill) designates. */
export const HOUSEHOLD_ROLES = ['child', 'adult', 'any'] as const;
export type HouseholdRole = (typeof HOUSEHOLD_ROLES)[number];

/** Compares the value of one field (`field` names a field of the form) with `value`. */
export interface FieldCondition { field: string; op: ConditionOperator; value?: unknown }
/** Visibility rule of a page or a field; absent means always visible. */
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | FieldCondition;

/** Where the portal takes an initial value from; the citizen can still change it. */
export type PrefillSource =
  | { from: 'citizen'; path: CitizenPath }
  | { from: 'household'; role: HouseholdRole };

/** One choice of a select, radio or checkboxes field: `value` is stored, `label` is shown. */
export interface SelectOption { value: string; label: string }

/** Properties shared by every field type. */
export interface FieldBase {
  /** Key of the value in submissions; unique in the form (or in its group). */
  name: string;
  /** French label shown to citizens and agents. */
  label: string;
  hint?: string;
  required?: boolean;
  visibleWhen?: Condition;
  prefill?: PrefillSource;
}
/** Single-line text; `maxLength` defaults to 500; `pattern` must match the whole value. */
export interface TextField extends FieldBase {
  type: 'text'; minLength?: number; maxLength?: number; pattern?: string; patternMessage?: string;
}
/** Multi-line text; `maxLength` defaults to 10 000. */
export interface TextareaField extends FieldBase { type: 'textarea'; minLength?: number; maxLength?: number }
/** E-mail address. */
export interface EmailField extends FieldBase { type: 'email' }
/** Phone number, French by default, stored as E.164. */
export interface PhoneField extends FieldBase { type: 'phone' }
/** Number, optionally an integer, within optional bounds. */
export interface NumberField extends FieldBase { type: 'number'; min?: number; max?: number; integer?: boolean }
/** Calendar date stored as `YYYY-MM-DD`; bounds are ISO dates or `today`. */
export interface DateField extends FieldBase { type: 'date'; min?: string; max?: string }
/** One choice in a drop-down list. */
export interface SelectField extends FieldBase { type: 'select'; options: SelectOption[] }
/** One choice among radio buttons. */
export interface RadioField extends FieldBase { type: 'radio'; options: SelectOption[] }
/** Several choices; the value is the list of checked option values. */
export interface CheckboxesField extends FieldBase {
  type: 'checkboxes'; options: SelectOption[]; minItems?: number; maxItems?: number;
}
/** Yes/no question; the value is a boolean. */
export interface YesNoField extends FieldBase { type: 'yesno' }
/** Postal address; the value is an `AddressValue`. */
export interface AddressField extends FieldBase { type: 'address' }
/** Point on a map; the value is a `GeolocationValue`. */
export interface GeolocationField extends FieldBase { type: 'geolocation' }
/** Attachments; the value lists attachment ids (`maxFiles` defaults to 1). Type and size are checked at upload. */
export interface FileField extends FieldBase {
  type: 'file'; accept?: string[]; maxSizeBytes?: number; maxFiles?: number;
}
/** A member of the citizen's household; the value is the member id. */
export interface HouseholdMemberField extends FieldBase { type: 'householdMember'; memberRole?: HouseholdRole }
/** Any field that may appear inside a group (groups do not nest). */
export type LeafField =
  | TextField | TextareaField | EmailField | PhoneField | NumberField | DateField | SelectField
  | RadioField | CheckboxesField | YesNoField | AddressField | GeolocationField | FileField
  | HouseholdMemberField;
/** Repeatable block (e.g. one item per child); the value is an array of objects, 20 at most by default. */
export interface GroupField extends FieldBase { type: 'group'; fields: LeafField[]; minItems?: number; maxItems?: number }
/** Any field of the language, discriminated by `type`. */
export type Field = LeafField | GroupField;

/** One step of the form; a hidden page hides all its fields. */
export interface FormPage { id: string; title: string; description?: string; visibleWhen?: Condition; fields: Field[] }
/** The form of a procedure, as stored in JSON. */
export interface FormDefinition { version: 1; pages: FormPage[] }

/** Normalised value of an `address` field. */
export interface AddressValue { line1: string; line2?: string; postcode: string; city: string; country: string; banId?: string }
/** Normalised value of a `geolocation` field: a point (with an optional label), or an address alone when no map could be used. */
export type GeolocationValue = { lat: number; lon: number; address?: string } | { address: string; lat?: undefined; lon?: undefined };

const CONDITION_REF = 'FormCondition';
const nonEmpty = (maxLength: number): TSchema => Type.String({ minLength: 1, maxLength });
const count = (minimum: number): TSchema => Type.Optional(Type.Integer({ minimum }));

/** The four shapes of a condition; `all`/`any`/`not` refer back to the whole union. */
export const ConditionSchemas = {
  all: Type.Object({ all: Type.Array(Type.Ref(CONDITION_REF)) }),
  any: Type.Object({ any: Type.Array(Type.Ref(CONDITION_REF)) }),
  not: Type.Object({ not: Type.Ref(CONDITION_REF) }),
  field: Type.Object({
    field: nonEmpty(100),
    op: Type.Enum(CONDITION_OPERATORS),
    value: Type.Optional(Type.Unknown()),
  }),
} as const;

/** The two kinds of prefill source, keyed by `from`. */
export const PrefillSchemas = {
  citizen: Type.Object({ from: Type.Literal('citizen'), path: Type.Enum(CITIZEN_PATHS) }),
  household: Type.Object({ from: Type.Literal('household'), role: Type.Enum(HOUSEHOLD_ROLES) }),
} as const;

const OptionSchema = Type.Object({ value: nonEmpty(200), label: nonEmpty(500) });
const optionsProps = { options: Type.Array(OptionSchema, { minItems: 1 }) };

const baseProps = {
  name: Type.String({ pattern: FIELD_NAME_PATTERN, maxLength: 64, description: 'Clé de la valeur dans les réponses, unique dans le formulaire (ou dans son groupe).' }),
  label: nonEmpty(500),
  hint: Type.Optional(Type.String({ maxLength: 2000 })),
  required: Type.Optional(Type.Boolean()),
  visibleWhen: Type.Optional(Type.Ref(CONDITION_REF, { description: 'Le champ n’est affiché (et demandé) que si la condition est vraie.' })),
  prefill: Type.Optional(Type.Union([PrefillSchemas.citizen, PrefillSchemas.household], { description: 'Valeur initiale proposée depuis le profil de l’usager ou son foyer.' })),
};

function fieldSchema(type: FieldType, props: TProperties): TObject {
  return Type.Object({ type: Type.Literal(type), ...baseProps, ...props });
}

const leafFieldSchemas = {
  text: fieldSchema('text', {
    minLength: count(0), maxLength: count(1),
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Expression régulière que toute la saisie doit respecter (comme l’attribut HTML pattern).' })),
    patternMessage: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Message affiché quand la saisie ne respecte pas pattern.' })),
  }),
  textarea: fieldSchema('textarea', { minLength: count(0), maxLength: count(1) }),
  email: fieldSchema('email', {}),
  phone: fieldSchema('phone', {}),
  number: fieldSchema('number', {
    min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), integer: Type.Optional(Type.Boolean()),
  }),
  date: fieldSchema('date', {
    min: Type.Optional(Type.String({ pattern: DATE_BOUND_PATTERN, description: 'Date AAAA-MM-JJ ou « today ».' })),
    max: Type.Optional(Type.String({ pattern: DATE_BOUND_PATTERN, description: 'Date AAAA-MM-JJ ou « today ».' })),
  }),
  select: fieldSchema('select', optionsProps),
  radio: fieldSchema('radio', optionsProps),
  checkboxes: fieldSchema('checkboxes', { ...optionsProps, minItems: count(0), maxItems: count(1) }),
  yesno: fieldSchema('yesno', {}),
  address: fieldSchema('address', {}),
  geolocation: fieldSchema('geolocation', {}),
  file: fieldSchema('file', {
    accept: Type.Optional(Type.Array(Type.String({ pattern: MIME_TYPE_PATTERN }), { minItems: 1 })),
    maxSizeBytes: count(1),
    maxFiles: count(1),
  }),
  householdMember: fieldSchema('householdMember', { memberRole: Type.Optional(Type.Enum(HOUSEHOLD_ROLES)) }),
};
const LeafFieldSchema = Type.Union(Object.values(leafFieldSchemas));

/** One schema per field type; `check-definition.ts` picks the one matching `type` for precise errors. */
export const FieldSchemas: Record<FieldType, TObject> = {
  ...leafFieldSchemas,
  group: fieldSchema('group', { fields: Type.Array(LeafFieldSchema, { minItems: 1 }), minItems: count(0), maxItems: count(1) }),
};

/** Schema of one page; its conditions refer to the condition definition by `$ref`. */
export const PageSchema = Type.Object({
  id: Type.String({ pattern: PAGE_ID_PATTERN, maxLength: 64 }),
  title: nonEmpty(500),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  visibleWhen: Type.Optional(Type.Ref(CONDITION_REF)),
  fields: Type.Array(Type.Union(Object.values(FieldSchemas))),
});

/** Schema of the top-level object; only complete inside `FormDefinitionSchema`, which defines the condition. */
export const FormDefinitionObjectSchema = Type.Object({
  version: Type.Literal(1),
  pages: Type.Array(PageSchema, { minItems: 1 }),
});

/**
 * JSON Schema of the whole language, self-contained (the recursive condition lives in
 * `$defs`), for the REST API's OpenAPI document and request validation. It tolerates
 * unknown properties on purpose: Fastify's Ajv (`removeAdditional`) would otherwise strip
 * properties while trying the branches of the field union and corrupt valid definitions.
 * `checkFormDefinition` refuses unknown properties and enforces the semantic rules
 * (unique names, condition targets, regexes…).
 */
export const FormDefinitionSchema = Type.Cyclic({
  [CONDITION_REF]: Type.Union(Object.values(ConditionSchemas), {
    description: 'Condition d’affichage : { all: [...] }, { any: [...] }, { not: ... } ou { field, op, value } sur un champ placé avant.',
  }),
  FormDefinition: FormDefinitionObjectSchema,
}, 'FormDefinition', { title: 'Définition de formulaire' });
