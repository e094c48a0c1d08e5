/**
 * The inputs of one page of a form: each field by type, hidden ones rendered inside a `hidden`
 * wrapper that forms.client.js reveals when its condition becomes true, and repeatable groups
 * with their « Ajouter » / « Retirer » submit buttons (no JavaScript needed).
 */
import type { JSX } from 'preact';
import type { Field, GroupField, LeafField } from '../../../procedures/form/definition.js';
import { DEFAULTS } from '../../../procedures/form/definition.js';
import { isVisible } from '../../../procedures/form/conditions.js';
import {
  CheckboxesInput, DateInput, HouseholdMemberInput, NumberInput, RadioInput, SelectInput, TextareaInput, TextInput, YesNoInput,
  type ControlProps,
} from './controls.js';
import { FileInput } from './files.js';
import { describedBy, ErrorMessage, Optional, type FieldRenderContext } from './parts.js';
import { AddressInput, GeolocationInput } from './places.js';
import { ITEM_MARKER, shownItems } from './groups.js';
import { inputIdOf, isRecord, own, partIdOf, setOwn } from './paths.js';
import { conditionValueOf, outerValues, pageConditions } from './visibility.js';

function Control(props: ControlProps): JSX.Element {
  switch (props.field.type) {
    case 'text':
    case 'email':
    case 'phone': return <TextInput {...props} />;
    case 'textarea': return <TextareaInput {...(props as ControlProps<typeof props.field>)} />;
    case 'number': return <NumberInput {...(props as ControlProps<typeof props.field>)} />;
    case 'date': return <DateInput {...(props as ControlProps<typeof props.field>)} />;
    case 'select': return <SelectInput {...(props as ControlProps<typeof props.field>)} />;
    case 'radio': return <RadioInput {...(props as ControlProps<typeof props.field>)} />;
    case 'checkboxes': return <CheckboxesInput {...(props as ControlProps<typeof props.field>)} />;
    case 'yesno': return <YesNoInput {...props} />;
    case 'householdMember': return <HouseholdMemberInput {...(props as ControlProps<typeof props.field>)} />;
    case 'address': return <AddressInput {...(props as ControlProps<typeof props.field>)} />;
    case 'geolocation': return <GeolocationInput {...(props as ControlProps<typeof props.field>)} />;
    case 'file': return <FileInput {...(props as ControlProps<typeof props.field>)} />;
    default: return <></>;
  }
}

/**
 * The wrapper of every field: carries what forms.client.js needs to re-evaluate conditions
 * (`data-field`, `data-type`, `data-scope`, `data-visible-when`, values from other pages).
 */
function Wrapper(props: { field: Field; scope: string; visible: boolean; outer: Record<string, unknown>; children: JSX.Element }) {
  const { field } = props;
  const conditional = field.visibleWhen !== undefined;
  return (
    <div
      class="form-item"
      data-field={field.name}
      data-type={field.type}
      {...(props.scope ? { 'data-scope': props.scope } : {})}
      {...(conditional ? { 'data-visible-when': JSON.stringify(field.visibleWhen) } : {})}
      {...(conditional && Object.keys(props.outer).length > 0 ? { 'data-outer-values': JSON.stringify(props.outer) } : {})}
      {...(props.visible ? {} : { hidden: true })}
    >
      {props.children}
    </div>
  );
}

interface Scope {
  /** Raw values of this container (the page, or one group item). */
  raw: Record<string, unknown>;
  /** Typed answers from other pages that conditions of this page name, handed to forms.client.js. */
  otherPages: Record<string, unknown>;
  /** Path prefix: '' or 'responsables[0].'. */
  prefix: string;
  /** Values conditions see besides this container's (other pages, or the page for a group item). */
  outer: Record<string, unknown>;
}

/** Renders `fields` of one container, deciding visibility in order as the validator does. */
function Fields({ fields, scope, context, inGroup }: { fields: Field[]; scope: Scope; context: FieldRenderContext; inGroup: boolean }) {
  const seen: Record<string, unknown> = {};
  return (
    <>
      {fields.map((field) => {
        const path = `${scope.prefix}${field.name}`;
        const raw = own(scope.raw, field.name);
        const visible = isVisible(field.visibleWhen, { ...scope.outer, ...seen });
        if (visible) {
          const typed = conditionValueOf(field, raw);
          if (typed !== undefined) setOwn(seen, field.name, typed);
        }
        const body = field.type === 'group'
          ? <Group field={field} path={path} value={raw} context={context} outer={{ ...scope.outer, ...seen }} otherPages={scope.otherPages} />
          : <Control field={field as LeafField} path={path} value={raw} context={context} inGroup={inGroup} />;
        return (
          <Wrapper field={field} scope={scope.prefix} visible={visible} outer={scope.otherPages}>
            {body}
          </Wrapper>
        );
      })}
    </>
  );
}

/** A repeatable group: each item in a fieldset « <label> 1 », a « Retirer » per item, « Ajouter » at the end. */
function Group({ field, path, value, context, outer, otherPages }: { field: GroupField; path: string; value: unknown; context: FieldRenderContext; outer: Record<string, unknown>; otherPages: Record<string, unknown> }) {
  const items = shownItems(field, value);
  const max = field.maxItems ?? DEFAULTS.groupMaxItems;
  const min = field.minItems ?? 0;
  const error = context.errors.get(path);
  const id = inputIdOf(path);
  const canAdd = items.length < max;
  // Error summaries link to « Ajouter », or to the heading when no item can be added.
  const headingId = canAdd ? partIdOf(path, 'titre') : id;
  const fields = Array.isArray(field.fields) ? field.fields : [];
  return (
    <section class={`form-group${error ? ' form-field--error' : ''}`} aria-labelledby={headingId}>
      <h2 class="form-group-title" id={headingId} {...(canAdd ? {} : { tabIndex: -1 })}>
        {field.label}
        <Optional field={{ label: field.label, required: field.required === true || (field.minItems ?? 0) > 0 }} />
      </h2>
      {field.hint ? <p class="hint" id={`${id}-hint`}>{field.hint}</p> : null}
      <ErrorMessage id={`${id}-error`} message={error} />
      {items.length === 0 ? <p class="form-group-empty">Aucun élément pour l’instant.</p> : null}
      {items.map((item, index) => {
        const itemPath = `${path}[${index}]`;
        const itemLabel = `${field.label} ${index + 1}`;
        return (
          <fieldset class="form-fieldset form-group-item">
            <legend>{itemLabel}</legend>
            <input type="hidden" name={`${itemPath}.${ITEM_MARKER}`} value="1" />
            <Fields fields={fields} scope={{ raw: item, prefix: `${itemPath}.`, outer, otherPages }} context={context} inGroup />
            {items.length > min ? (
              <button type="submit" name="_action" value={`remove:${itemPath}`} class="button-secondary" formnovalidate>
                Retirer<span class="sr-only"> « {itemLabel} »</span>
              </button>
            ) : null}
          </fieldset>
        );
      })}
      {canAdd ? (
        <button type="submit" name="_action" value={`add:${path}`} id={id} class="button-secondary" formnovalidate
          {...describedBy(field.hint ? `${id}-hint` : null, error ? `${id}-error` : null, false)}>
          Ajouter<span class="sr-only"> : {field.label}</span>
        </button>
      ) : (
        <p class="hint">Vous avez atteint le nombre maximal d’éléments ({max}).</p>
      )}
    </section>
  );
}

/** The inputs of a list of fields (one page), in order, each with label, hint, error and current value. */
export function FormFields(props: { fields: Field[]; context: FieldRenderContext }): JSX.Element {
  const fields = Array.isArray(props.fields) ? props.fields : [];
  const values = isRecord(props.context.values) ? props.context.values : {};
  const outer = outerValues(pageConditions(fields), fields, values);
  return <Fields fields={fields} scope={{ raw: values, prefix: '', outer, otherPages: outer }} context={props.context} inGroup={false} />;
}
