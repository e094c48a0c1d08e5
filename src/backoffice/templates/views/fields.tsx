import type { ComponentChildren } from 'preact';
import type { FieldProblem } from '../../../http/ui/layout.js';

/** Values and errors of a form being filled in, by field name. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export const blankState = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** The error summary's links: each field's input id is `prefix-name`. */
export function problemsOf(state: FormState, prefix: string): FieldProblem[] {
  return Object.entries(state.errors).map(([name, message]) => ({ target: `${prefix}-${name}`, message }));
}

/** Field errors by name; several on one field (a template's problems) are kept together. */
export function errorsByName(errors: readonly { field: string; message: string }[]): Record<string, string> {
  const byName: Record<string, string> = {};
  for (const e of errors) byName[e.field] = byName[e.field] ? `${byName[e.field]} ${e.message}` : e.message;
  return byName;
}

function described(id: string, hint: boolean, error: boolean): Record<string, string> {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(error ? { 'aria-invalid': 'true' } : {}) };
}

interface FieldProps {
  prefix: string;
  name: string;
  label: string;
  state: FormState;
  hint?: ComponentChildren;
  required?: boolean;
}

function Frame({ id, label, hint, error, required, children }: { id: string; label: string; hint?: ComponentChildren; error?: string; required?: boolean; children: ComponentChildren }) {
  return (
    <div class={`bo-field${error ? ' bo-field--error' : ''}`}>
      <label for={id}>
        {label}
        {required ? null : <span class="bo-optional"> (facultatif)</span>}
      </label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">Erreur : </span>
          {error}
        </p>
      ) : null}
      {children}
    </div>
  );
}

/** A labelled text input with its hint and error, linked for screen readers. */
export function TextField({ prefix, name, label, state, hint, required, type = 'text', maxLength }: FieldProps & { type?: 'text' | 'date'; maxLength?: number }) {
  const id = `${prefix}-${name}`;
  const error = state.errors[name];
  return (
    <Frame id={id} label={label} hint={hint} error={error} required={required}>
      <input
        type={type as 'text'}
        id={id}
        name={name}
        value={state.values[name] ?? ''}
        {...(required ? { required: true } : {})}
        {...(maxLength ? { maxLength } : {})}
        {...described(id, Boolean(hint), Boolean(error))}
      />
    </Frame>
  );
}

/** A labelled textarea. */
export function TextArea({ prefix, name, label, state, hint, required, rows = 10 }: FieldProps & { rows?: number }) {
  const id = `${prefix}-${name}`;
  const error = state.errors[name];
  return (
    <Frame id={id} label={label} hint={hint} error={error} required={required}>
      <textarea id={id} name={name} rows={rows} {...(required ? { required: true } : {})} {...described(id, Boolean(hint), Boolean(error))}>
        {state.values[name] ?? ''}
      </textarea>
    </Frame>
  );
}

/** A labelled select. */
export function SelectField({ prefix, name, label, state, hint, required, options }: FieldProps & { options: readonly { value: string; label: string }[] }) {
  const id = `${prefix}-${name}`;
  const error = state.errors[name];
  const current = state.values[name] ?? '';
  return (
    <Frame id={id} label={label} hint={hint} error={error} required={required}>
      {/* No `required` attribute: there is no empty choice, a value is always sent. */}
      <select id={id} name={name} {...described(id, Boolean(hint), Boolean(error))}>
        {options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}
