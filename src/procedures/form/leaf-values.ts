/** Dispatches the normalisation of a non-group field value to the module of its type. */
import type { LeafField } from './definition.js';
import type { NormaliseContext, Outcome } from './field-errors.js';
import { fail } from './field-errors.js';
import { normaliseCheckboxes, normaliseChoice, normaliseFile, normaliseHouseholdMember, normaliseYesNo } from './choice-values.js';
import { normaliseDate, normaliseNumber } from './measure-values.js';
import { normalisePhone } from './phone.js';
import { normaliseAddress, normaliseGeolocation } from './place-values.js';
import { normaliseEmail, normaliseText } from './text-values.js';

/** Checks and normalises the non-blank value `raw` of `field`, reporting errors at `path`. */
export function normaliseLeaf(field: LeafField, raw: unknown, path: string, ctx: NormaliseContext): Outcome {
  switch (field.type) {
    case 'text':
    case 'textarea': return normaliseText(field, raw, path);
    case 'email': return normaliseEmail(field, raw, path);
    case 'phone': return normalisePhone(field, raw, path);
    case 'number': return normaliseNumber(field, raw, path);
    case 'date': return normaliseDate(field, raw, path, ctx);
    case 'select':
    case 'radio': return normaliseChoice(field, raw, path);
    case 'checkboxes': return normaliseCheckboxes(field, raw, path);
    case 'yesno': return normaliseYesNo(field, raw, path);
    case 'address': return normaliseAddress(field, raw, path);
    case 'geolocation': return normaliseGeolocation(field, raw, path);
    case 'file': return normaliseFile(field, raw, path);
    case 'householdMember': return normaliseHouseholdMember(field, raw, path, ctx);
    default: return fail(path, 'invalid_type', 'Ce champ n’est pas pris en charge.');
  }
}
