import type { ComponentChildren } from 'preact';
import type { FieldProblem } from '../../../http/ui/layout.js';
import type { FormState } from '../service.js';

/** The id of the input of a field path (`address.postcode` → `address-postcode`). */
export const fieldId = (path: string): string => path.replace(/[.[\]]+/g, '-').replace(/-$/, '');

/** Problems for the error summary; `targets` names the input of paths that are not one input (radios, a locked block). */
export function problemsOf(state: FormState, targets: Record<string, string> = {}): FieldProblem[] {
  return Object.entries(state.errors).map(([path, message]) => ({ target: targets[path] ?? fieldId(path), message }));
}

export const emptyState = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** "12 avril 1985" for a calendar date. */
export function frenchDay(iso: string): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/** "12 avril 2025 à 14:03" for an instant, in the town's time zone. */
export function frenchMoment(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: timezone }).format(new Date(iso));
}

function describedBy(id: string, hint: boolean, error: boolean): Record<string, string> {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(error ? { 'aria-invalid': 'true' } : {}) };
}

function ErrorText({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="field-error" id={`${id}-error`}>
      <span class="sr-only">Erreur : </span>
      {message}
    </p>
  );
}

interface InputProps {
  name: string;
  label: string;
  state: FormState;
  type?: 'text' | 'tel' | 'email' | 'date';
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
  inputMode?: string;
  spellcheck?: boolean;
}

/** A labelled input with its hint and error, linked for screen readers. */
export function Input({ name, label, state, type = 'text', hint, required, autocomplete, maxLength, inputMode, spellcheck }: InputProps) {
  const id = fieldId(name);
  const error = state.errors[name];
  return (
    <div class={`space-field${error ? ' space-field--error' : ''}`}>
      <label for={id}>
        {label}
        {required ? null : <span class="space-optional"> (facultatif)</span>}
      </label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <ErrorText id={id} message={error} />
      <input
        // Preact types inputs per `type`; these four share every attribute used here.
        type={type as 'text'}
        id={id}
        name={name}
        value={state.values[name] ?? ''}
        {...(required ? { required: true } : {})}
        {...(autocomplete ? { autocomplete } : {})}
        {...(maxLength ? { maxLength } : {})}
        {...(inputMode ? { inputMode } : {})}
        {...(spellcheck === false ? { spellcheck: false } : {})}
        {...describedBy(id, Boolean(hint), Boolean(error))}
      />
    </div>
  );
}

/** A drop-down list; the empty choice reads « Choisir ». */
export function Select({ name, label, state, options, required, autocomplete }: { name: string; label: string; state: FormState; options: readonly { value: string; label: string }[]; required?: boolean; autocomplete?: string }) {
  const id = fieldId(name);
  const error = state.errors[name];
  const current = state.values[name] ?? '';
  return (
    <div class={`space-field${error ? ' space-field--error' : ''}`}>
      <label for={id}>
        {label}
        {required ? null : <span class="space-optional"> (facultatif)</span>}
      </label>
      <ErrorText id={id} message={error} />
      <select id={id} name={name} {...(required ? { required: true } : {})} {...(autocomplete ? { autocomplete } : {})} {...describedBy(id, false, Boolean(error))}>
        <option value="">Choisir</option>
        {options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Radio buttons in a fieldset whose legend is the question; the summary links to the first one. */
export function Radios({ name, legend, state, options }: { name: string; legend: string; state: FormState; options: readonly { value: string; label: string }[] }) {
  const error = state.errors[name];
  const current = state.values[name] ?? '';
  return (
    <fieldset class={`space-fieldset${error ? ' space-field--error' : ''}`} {...(error ? { 'aria-describedby': `${fieldId(name)}-error` } : {})}>
      <legend>{legend}</legend>
      <ErrorText id={fieldId(name)} message={error} />
      {options.map((o) => (
        <div class="space-choice">
          <input type="radio" id={`${fieldId(name)}-${o.value}`} name={name} value={o.value} checked={o.value === current} required />
          <label for={`${fieldId(name)}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** A checkbox with its label and error. */
export function Checkbox({ name, label, state, hint, disabled }: { name: string; label: ComponentChildren; state: FormState; hint?: string; disabled?: boolean }) {
  const id = fieldId(name);
  const error = state.errors[name];
  return (
    <div class={`space-choice${error ? ' space-field--error' : ''}`}>
      <ErrorText id={id} message={error} />
      <input type="checkbox" id={id} name={name} value="1" checked={state.values[name] === '1'} {...(disabled ? { disabled: true } : {})} {...describedBy(id, Boolean(hint), Boolean(error))} />
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The hidden CSRF input every form carries. */
export function Csrf({ value }: { value: string }) {
  return <input type="hidden" name="_csrf" value={value} />;
}

/** The way back to the dashboard, above each page's title. */
export function BackToSpace() {
  return (
    <nav aria-label="Fil d’Ariane" class="space-breadcrumb">
      <ol>
        <li>
          <a href="/mon-espace">Mon espace</a>
        </li>
      </ol>
    </nav>
  );
}

/** A one-line confirmation after a change (PRG), announced politely. */
export function Saved({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <div class="notice" role="status">
      <p>{text}</p>
    </div>
  );
}
