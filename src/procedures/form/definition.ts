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

export interface SelectOption { value: string; label: string }

/** Properties shared by every field type. */
export interface FieldBase {
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  visibleWhen?: Condition;
  prefill?: PrefillSource;
}
export interface TextField extends FieldBase {
  type: 'text'; minLength?: number; maxLength?: number; pattern?: string; patternMessage?: string;
}
export interface TextareaField extends FieldBase { type: 'textarea'; minLength?: number; maxLength?: number }
export interface EmailField extends FieldBase { type: 'email' }
export interface PhoneField extends FieldBase { type: 'phone' }
export interface NumberField extends FieldBase { type: 'number'; min?: number; max?: number; integer?: boolean }
export interface DateField extends FieldBase { type: 'date'; min?: string; max?: string }
export interface SelectField extends FieldBase { type: 'select'; options: SelectOption[] }
export interface RadioField extends FieldBase { type: 'radio'; options: SelectOption[] }
export interface CheckboxesField extends FieldBase {
  type: 'checkboxes'; options: SelectOption[]; minItems?: number; maxItems?: number;
}
export interface YesNoField extends FieldBase { type: 'yesno' }
export interface AddressField extends FieldBase { type: 'address' }
export interface GeolocationField extends FieldBase { type: 'geolocation' }
export interface FileField extends FieldBase {
  type: 'file'; accept?: string[]; maxSizeBytes?: number; maxFiles?: number;
}
export interface HouseholdMemberField extends FieldBase { type: 'householdMember'; memberRole?: HouseholdRole }
/** Any field that may appear inside a group (groups do not nest). */
export type LeafField =
  | TextField | TextareaField | EmailField | PhoneField | NumberField | DateField | SelectField
  | RadioField | CheckboxesField | YesNoField | AddressField | GeolocationField | FileField
  | HouseholdMemberField;
/** Repeatable block (e.g. one item per child); its value is an array of objects. */
export interface GroupField extends FieldBase { type: 'group'; fields: LeafField[]; minItems?: number; maxItems?: number }
export type Field = LeafField | GroupField;

export interface FormPage { id: string; title: string; description?: string; visibleWhen?: Condition; fields: Field[] }
export interface FormDefinition { version: 1; pages: FormPage[] }

/** Normalised value of an `address` field. */
export interface AddressValue { line1: string; line2?: string; postcode: string; city: string; country: string; banId?: string }
/** Normalised value of a `geolocation` field. */
export interface GeolocationValue { lat: number; lon: number; address?: string }

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
  name: Type.String({ pattern: FIELD_NAME_PATTERN, maxLength: 64 }),
  label: nonEmpty(500),
  hint: Type.Optional(Type.String({ maxLength: 2000 })),
  required: Type.Optional(Type.Boolean()),
  visibleWhen: Type.Optional(Type.Ref(CONDITION_REF)),
  prefill: Type.Optional(Type.Union([PrefillSchemas.citizen, PrefillSchemas.household])),
};

function fieldSchema<T extends FieldType, P extends TProperties>(type: T, props: P): TObject {
  return Type.Object({ type: Type.Literal(type), ...baseProps, ...props });
}

const leafFieldSchemas = {
  text: fieldSchema('text', {
    minLength: count(0), maxLength: count(1),
    pattern: Type.Optional(nonEmpty(1000)), patternMessage: Type.Optional(nonEmpty(500)),
  }),
  textarea: fieldSchema('textarea', { minLength: count(0), maxLength: count(1) }),
  email: fieldSchema('email', {}),
  phone: fieldSchema('phone', {}),
  number: fieldSchema('number', {
    min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), integer: Type.Optional(Type.Boolean()),
  }),
  date: fieldSchema('date', {
    min: Type.Optional(Type.String({ pattern: DATE_BOUND_PATTERN })),
    max: Type.Optional(Type.String({ pattern: DATE_BOUND_PATTERN })),
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

export const PageSchema = Type.Object({
  id: Type.String({ pattern: PAGE_ID_PATTERN, maxLength: 64 }),
  title: nonEmpty(500),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  visibleWhen: Type.Optional(Type.Ref(CONDITION_REF)),
  fields: Type.Array(Type.Union(Object.values(FieldSchemas))),
});

/** The top-level object, whose pages refer to the condition definition by `$ref`. */
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
  [CONDITION_REF]: Type.Union(Object.values(ConditionSchemas)),
  FormDefinition: FormDefinitionObjectSchema,
}, 'FormDefinition', { title: 'Définition de formulaire' });
