/**
 * Read-only answers with the form's labels, for the check-your-answers page and the case page:
 * option labels rather than values, « Oui » / « Non », dates in words, addresses on lines,
 * people by name, files by name and size.
 */
import type { ComponentChildren, JSX } from 'preact';
import type { Field, LeafField, SelectOption } from '../../../procedures/form/definition.js';
import { isEmptyValue, isVisible } from '../../../procedures/form/conditions.js';
import { parseDateInput } from '../../../procedures/form/dates.js';
import { formatSize } from '../../../attachments/service.js';
import { memberName } from './controls.js';
import { frenchDate, frenchNumber } from './format.js';
import { itemsOf } from './groups.js';
import { listOf, textOf, type FieldRenderContext } from './parts.js';
import { isRecord, own, setOwn } from './paths.js';
import { conditionValueOf, outerValues, pageConditions } from './visibility.js';

type AnswerContext = Pick<FieldRenderContext, 'householdMembers' | 'uploads'>;

const NOT_GIVEN = <span class="answer-none">Non renseigné</span>;

function optionLabel(options: SelectOption[] | undefined, value: string): string {
  return (Array.isArray(options) ? options : []).find((option) => option.value === value)?.label ?? value;
}

/** "+33612345678" → "06 12 34 56 78"; other numbers as they are. */
export function frenchPhone(value: string): string {
  const match = /^\+33([1-9])(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  return match ? `0${match[1]} ${match.slice(2).join(' ')}` : value;
}

function Lines({ lines }: { lines: string[] }) {
  const shown = lines.filter((line) => line.trim() !== '');
  return (
    <>
      {shown.map((line, index) => (
        <>
          {index > 0 ? <br /> : null}
          {line}
        </>
      ))}
    </>
  );
}

/** The human reading of one non-group answer. */
function LeafAnswer({ field, value, context }: { field: LeafField; value: unknown; context: AnswerContext }): JSX.Element {
  switch (field.type) {
    case 'select':
    case 'radio': return <>{optionLabel(field.options, textOf(value))}</>;
    case 'checkboxes': {
      const labels = listOf(value).map((item) => optionLabel(field.options, item));
      return labels.length === 1 ? <>{labels[0]}</> : <ul class="answer-list">{labels.map((label) => <li>{label}</li>)}</ul>;
    }
    case 'yesno': {
      const text = textOf(value).toLowerCase();
      return <>{text === 'true' || text === 'oui' ? 'Oui' : text === 'false' || text === 'non' ? 'Non' : textOf(value)}</>;
    }
    case 'date': {
      const text = textOf(value);
      return <>{frenchDate(parseDateInput(text) ?? text)}</>;
    }
    case 'number': return <>{typeof value === 'number' ? frenchNumber(value) : textOf(value)}</>;
    case 'phone': return <>{frenchPhone(textOf(value))}</>;
    case 'address': {
      const part = (key: string) => textOf(own(value, key));
      const country = part('country');
      return <Lines lines={[part('line1'), part('line2'), `${part('postcode')} ${part('city')}`, country && country !== 'FR' ? country : '']} />;
    }
    case 'geolocation': {
      const address = textOf(own(value, 'address'));
      const lat = own(value, 'lat');
      const lon = own(value, 'lon');
      const point = textOf(lat) !== '' && textOf(lon) !== '' ? `Point sur la carte : latitude ${textOf(lat)}, longitude ${textOf(lon)}` : '';
      return <Lines lines={[address, point]} />;
    }
    case 'householdMember': {
      const id = textOf(value);
      const member = context.householdMembers.find((m) => String(m.id) === id);
      return <>{member ? memberName(member) : 'Personne du foyer'}</>;
    }
    case 'file': {
      const files = listOf(value).map((id) => context.uploads.get(id));
      return (
        <ul class="answer-list">
          {files.map((file) => (
            <li>{file ? `${file.filename} (${formatSize(file.size)})` : 'Fichier joint'}</li>
          ))}
        </ul>
      );
    }
    case 'textarea': return <span class="answer-text">{textOf(value)}</span>;
    default: return <>{textOf(value)}</>;
  }
}

/** The fields of a container shown for `values`, with the validator's in-order visibility. */
function visibleEntries(fields: Field[], values: Record<string, unknown>, outer: Record<string, unknown>): { field: Field; value: unknown }[] {
  const seen: Record<string, unknown> = {};
  const entries: { field: Field; value: unknown }[] = [];
  for (const field of fields) {
    const value = own(values, field.name);
    if (!isVisible(field.visibleWhen, { ...outer, ...seen })) continue;
    const typed = conditionValueOf(field, value);
    if (typed !== undefined) setOwn(seen, field.name, typed);
    entries.push({ field, value });
  }
  return entries;
}

function Entries({ fields, values, outer, context }: { fields: Field[]; values: Record<string, unknown>; outer: Record<string, unknown>; context: AnswerContext }) {
  return (
    <>
      {visibleEntries(fields, values, outer).map(({ field, value }) => (
        <div class="answer">
          <dt>{field.label}</dt>
          <dd>{answerOf(field, value, { ...outer, ...values }, context)}</dd>
        </div>
      ))}
    </>
  );
}

function answerOf(field: Field, value: unknown, outer: Record<string, unknown>, context: AnswerContext): ComponentChildren {
  if (value === undefined || isEmptyValue(value) || (isRecord(value) && Object.entries(value).every(([key, part]) => key === 'country' || isEmptyValue(part)))) {
    return NOT_GIVEN;
  }
  if (field.type !== 'group') return <LeafAnswer field={field} value={value} context={context} />;
  const fields = Array.isArray(field.fields) ? field.fields : [];
  return itemsOf(value).map((item, index) => (
    <div class="answer-item">
      <p class="answer-item-title">
        {field.label} {index + 1}
      </p>
      <dl class="answers answers--nested">
        <Entries fields={fields} values={item} outer={outer} context={context} />
      </dl>
    </div>
  ));
}

/** Read-only display of answers with the form's labels (check-your-answers page, case page), as a <dl>. */
export function AnswerList(props: { fields: Field[]; values: Record<string, unknown>; context: AnswerContext }): JSX.Element {
  const fields = Array.isArray(props.fields) ? props.fields : [];
  const values = isRecord(props.values) ? props.values : {};
  return (
    <dl class="answers">
      <Entries fields={fields} values={values} outer={outerValues(pageConditions(fields), fields, values)} context={props.context} />
    </dl>
  );
}
