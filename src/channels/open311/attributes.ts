/**
 * How a procedure's form becomes a GeoReport v2 service definition, and how a POST's
 * `attribute[code]` values go back into form data. The form stays the one source of truth: the
 * intake validates the mapped data with the procedure's own rules and French messages, and
 * `attributePath` turns those messages' field paths back into the names the application sent.
 */
import type { Condition, Field, FormDefinition, SelectOption } from '../../procedures/form/definition.js';
import { listFields } from '../../procedures/form/validate.js';

export type Datatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

/** One attribute of a service definition, named as the spec names it. */
export interface Attribute {
  variable: boolean;
  code: string;
  datatype: Datatype;
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values: { key: string; name: string }[];
}

/** What each part of the form receives from a POST. */
export interface FormPlan {
  attributes: Attribute[];
  /** The field fed by the POST's `description`. */
  descriptionField: string | null;
  /** The geolocation field fed by lat/long/address_string. */
  locationField: string | null;
}

const YES_NO: SelectOption[] = [
  { value: 'true', label: 'Oui' },
  { value: 'false', label: 'Non' },
];

/**
 * Form fields that become attributes, with their datatype. The citizen's own contact fields,
 * files, household members, addresses and repeatable groups have no GeoReport equivalent: the
 * spec's email/phone/media_url/address_string carry them, or they are not offered.
 */
function datatypeOf(field: Field): { datatype: Datatype; values: SelectOption[] } | null {
  switch (field.type) {
    case 'text':
      return { datatype: 'string', values: [] };
    case 'textarea':
      return { datatype: 'text', values: [] };
    case 'number':
      return { datatype: 'number', values: [] };
    case 'date':
      return { datatype: 'datetime', values: [] };
    case 'select':
    case 'radio':
      return { datatype: 'singlevaluelist', values: field.options };
    case 'checkboxes':
      return { datatype: 'multivaluelist', values: field.options };
    case 'yesno':
      return { datatype: 'singlevaluelist', values: YES_NO };
    default:
      return null;
  }
}

/**
 * « Si « Type de problème » vaut « Éclairage public » » for the usual condition (one field equal
 * to, or among, some values); a generic sentence for the others, which an application cannot
 * evaluate anyway.
 */
function describeCondition(condition: Condition, fields: Field[]): string {
  const generic = 'Demandé seulement selon la réponse à un autre attribut ; ignoré sinon.';
  if (!('field' in condition) || (condition.op !== 'eq' && condition.op !== 'in')) return generic;
  const source = fields.find((f) => f.name === condition.field);
  if (!source) return generic;
  const options = 'options' in source ? source.options : source.type === 'yesno' ? YES_NO : [];
  const values = (Array.isArray(condition.value) ? condition.value : [condition.value]).map((v) => {
    const option = options.find((o) => o.value === String(v));
    return `« ${option ? option.label : String(v)} »`;
  });
  return `Demandé seulement si attribute[${source.name}] (« ${source.label} ») vaut ${values.join(' ou ')} ; ignoré sinon.`;
}

function describeType(field: Field, datatype: Datatype, fields: Field[]): string {
  const parts: string[] = [];
  if (field.visibleWhen) parts.push(describeCondition(field.visibleWhen, fields));
  if (datatype === 'datetime') parts.push('Date au format AAAA-MM-JJ.');
  if (datatype === 'multivaluelist') parts.push('Plusieurs clés possibles : répétez attribute[code][].');
  if (field.type === 'number') {
    if (field.integer) parts.push('Nombre entier.');
    if (field.min !== undefined || field.max !== undefined) parts.push(`Entre ${field.min ?? '−∞'} et ${field.max ?? '+∞'}.`);
  }
  if ((field.type === 'text' || field.type === 'textarea') && field.maxLength) parts.push(`${field.maxLength} caractères au plus.`);
  return parts.join(' ');
}

/** The service definition of a form, and which fields the POST's own parameters feed. */
export function planForm(form: FormDefinition): FormPlan {
  const fields = listFields(form).map(({ field }) => field);
  const descriptionField =
    fields.find((f) => f.name === 'description' && (f.type === 'textarea' || f.type === 'text'))?.name ?? fields.find((f) => f.type === 'textarea')?.name ?? null;
  const locationField = fields.find((f) => f.type === 'geolocation')?.name ?? null;
  const attributes: Attribute[] = [];
  for (const field of fields) {
    if (field.name === descriptionField || field.name === locationField) continue;
    const type = datatypeOf(field);
    if (!type) continue;
    attributes.push({
      variable: true,
      code: field.name,
      datatype: type.datatype,
      // A conditional field is required only when shown: the application cannot know, so it is optional here.
      required: field.required === true && !field.visibleWhen,
      datatype_description: describeType(field, type.datatype, fields),
      order: attributes.length + 1,
      description: field.hint ? `${field.label} — ${field.hint}` : field.label,
      values: type.values.map((o) => ({ key: o.value, name: o.label })),
    });
  }
  return { attributes, descriptionField, locationField };
}

/**
 * Reads `attribute[code]` (and `attribute[code][]` for lists) from a form-encoded body into form
 * data. Unknown codes are reported, not dropped: an application sending them is misconfigured.
 */
export function attributesToData(plan: FormPlan, body: Record<string, unknown>): { data: Record<string, unknown>; unknown: string[] } {
  const byCode = new Map(plan.attributes.map((a) => [a.code, a]));
  const data: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, raw] of Object.entries(body)) {
    const match = /^attribute\[([^\]]*)\](\[\])?$/.exec(key);
    if (!match) continue;
    const code = match[1] ?? '';
    const attribute = byCode.get(code);
    if (!attribute) {
      unknown.push(code);
      continue;
    }
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    if (attribute.datatype === 'multivaluelist') data[code] = [...((data[code] as string[] | undefined) ?? []), ...values.filter((v) => v !== '')];
    else if (attribute.datatype === 'datetime') data[code] = (values[0] ?? '').slice(0, 10);
    else data[code] = values[0] ?? '';
  }
  return { data, unknown };
}

/** The name the application knows for a field path the validator reported (« data.categorie »). */
export function attributePath(plan: FormPlan, path: string): string {
  const [root, name, ...rest] = path.split('.');
  if (root === 'citizen') return ({ firstNames: 'first_name', lastName: 'last_name', email: 'email', phone: 'phone' } as Record<string, string>)[name ?? ''] ?? 'email';
  if (root === 'location') return 'lat/long';
  if (root !== 'data' || !name) return path;
  const field = name.replace(/\[.*$/, '');
  if (field === plan.descriptionField) return 'description';
  if (field === plan.locationField) return rest[0] === 'address' ? 'address_string' : 'lat/long';
  return `attribute[${field}]`;
}
