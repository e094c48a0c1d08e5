/**
 * One component per kind of input. Patterns from GOV.UK and the DSFR (our own CSS): a label tied
 * to its input, the hint and the error in `aria-describedby`, choices in a fieldset whose legend is
 * the question, `autocomplete` tokens on the citizen's own details, `inputmode` on numbers.
 */
import type { ComponentChildren } from 'preact';
import type { CitizenPath, DateField, LeafField, NumberField, SelectOption, TextareaField, TextField } from '../../../procedures/form/definition.js';
import { DEFAULTS } from '../../../procedures/form/definition.js';
import type { HouseholdMember } from '../../../citizens/profile.js';
import { parseDateInput } from '../../../procedures/form/dates.js';
import { frenchDate } from './format.js';
import { describedBy, ErrorMessage, Hint, Optional, textOf, listOf, type FieldRenderContext } from './parts.js';
import { inputIdOf, partIdOf } from './paths.js';

/** What every control receives: its field, its path (= input name), its raw value, the page context. */
export interface ControlProps<F extends LeafField = LeafField> {
  field: F;
  path: string;
  value: unknown;
  context: FieldRenderContext;
  /** Inside a repeatable group: the details are someone else's, so no personal autocomplete. */
  inGroup: boolean;
}

const CITIZEN_TOKENS: Record<CitizenPath, string> = {
  civility: 'honorific-prefix', firstNames: 'given-name', birthName: 'family-name', usageName: 'family-name',
  birthDate: 'bday', email: 'email', phone: 'tel', address: 'street-address',
};
const NAME_TOKENS: [RegExp, string][] = [
  [/^(civilite|civility)$/i, 'honorific-prefix'],
  [/^(prenoms?|firstNames?|givenNames?)$/i, 'given-name'],
  [/^(nom|nomDeNaissance|nomNaissance|nomUsage|nomDUsage|lastName|familyName|birthName|usageName)$/i, 'family-name'],
  [/^(dateDeNaissance|dateNaissance|birthDate)$/i, 'bday'],
  [/^(e?mail|courriel|adresseElectronique)$/i, 'email'],
  [/^(phone|telephone|tel|mobile|portable)$/i, 'tel'],
];

/** The `autocomplete` token of a field about the citizen themself, from its prefill source or its name. */
export function autocompleteOf(field: LeafField, inGroup: boolean): string | undefined {
  if (inGroup || field.prefill?.from === 'household') return undefined;
  if (field.type === 'email') return 'email';
  if (field.type === 'phone') return 'tel';
  if (field.prefill?.from === 'citizen') return CITIZEN_TOKENS[field.prefill.path];
  return NAME_TOKENS.find(([pattern]) => pattern.test(field.name))?.[1];
}

interface Wiring { id: string; hintId: string | null; errorId: string | null; error: string | undefined }

function wiring(path: string, context: FieldRenderContext, hasHint: boolean): Wiring {
  const id = inputIdOf(path);
  const error = context.errors.get(path);
  return { id, hintId: hasHint ? `${id}-hint` : null, errorId: error ? `${id}-error` : null, error };
}

function fieldClass(error: string | undefined, extra = ''): string {
  return ['form-field', extra, error ? 'form-field--error' : ''].filter(Boolean).join(' ');
}

/** Label, hint and error above one input: the frame of every single-input field. */
function Single(props: { field: LeafField; w: Wiring; hint: string | undefined; extra?: string; children: ComponentChildren }) {
  const { field, w } = props;
  return (
    <div class={fieldClass(w.error, props.extra)}>
      <label for={w.id}>
        {field.label}
        <Optional field={field} />
      </label>
      {props.hint ? <Hint id={w.hintId!}>{props.hint}</Hint> : null}
      <ErrorMessage id={`${w.id}-error`} message={w.error} />
      {props.children}
    </div>
  );
}

function joinHints(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter((part) => part !== undefined && part !== '').join(' ');
  return text === '' ? undefined : text;
}

/** `text`, `email`, `phone`: one line. */
export function TextInput({ field, path, value, context, inGroup }: ControlProps<TextField | LeafField>) {
  const hint = field.hint;
  const w = wiring(path, context, Boolean(hint));
  const autocomplete = autocompleteOf(field, inGroup);
  const type = field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : 'text';
  const text = field as TextField;
  const maxLength = field.type === 'text' ? (text.maxLength ?? DEFAULTS.textMaxLength) : field.type === 'email' ? 254 : 30;
  const width = field.type === 'phone' ? ' form-input--20' : '';
  return (
    <Single field={field} w={w} hint={hint}>
      <input
        type={type as 'text'}
        id={w.id}
        name={path}
        value={textOf(value)}
        class={`form-input${width}`}
        maxLength={maxLength}
        {...(autocomplete ? { autocomplete } : {})}
        {...(type !== 'text' ? { spellcheck: false } : {})}
        {...(field.type === 'phone' ? { inputMode: 'tel' } : {})}
        {...(field.type === 'email' ? { inputMode: 'email' } : {})}
        {...describedBy(w.hintId, w.errorId)}
      />
    </Single>
  );
}

/** `textarea`: several lines, with its maximum length said. */
export function TextareaInput({ field, path, value, context }: ControlProps<TextareaField>) {
  const maxLength = field.maxLength ?? DEFAULTS.textareaMaxLength;
  const hint = joinHints(field.hint, `${maxLength.toLocaleString('fr-FR')} caractères au maximum.`);
  const w = wiring(path, context, true);
  return (
    <Single field={field} w={w} hint={hint}>
      <textarea id={w.id} name={path} rows={5} class="form-textarea" maxLength={maxLength} {...describedBy(w.hintId, w.errorId)}>
        {textOf(value)}
      </textarea>
    </Single>
  );
}

function numberHint(field: NumberField): string | undefined {
  const kind = field.integer ? 'Nombre entier' : 'Nombre';
  const fmt = (n: number) => n.toLocaleString('fr-FR');
  if (field.min !== undefined && field.max !== undefined) return `${kind} entre ${fmt(field.min)} et ${fmt(field.max)}.`;
  if (field.min !== undefined) return `${kind} supérieur ou égal à ${fmt(field.min)}.`;
  if (field.max !== undefined) return `${kind} inférieur ou égal à ${fmt(field.max)}.`;
  return field.integer ? 'Nombre entier.' : undefined;
}

/** `number`: a text input with a numeric keyboard (GOV.UK advice: no `type=number` spinner). */
export function NumberInput({ field, path, value, context }: ControlProps<NumberField>) {
  const hint = joinHints(field.hint, numberHint(field));
  const w = wiring(path, context, Boolean(hint));
  return (
    <Single field={field} w={w} hint={hint}>
      <input
        type="text"
        id={w.id}
        name={path}
        value={textOf(value)}
        class="form-input form-input--10"
        inputMode={field.integer ? 'numeric' : 'decimal'}
        maxLength={40}
        spellcheck={false}
        {...describedBy(w.hintId, w.errorId)}
      />
    </Single>
  );
}

function dateBound(bound: string | undefined): string | undefined {
  if (bound === undefined) return undefined;
  return bound === 'today' ? new Date().toISOString().slice(0, 10) : bound;
}

/** `date`: the browser's date input; the hint gives the format for browsers that show a text box. */
export function DateInput({ field, path, value, context, inGroup }: ControlProps<DateField>) {
  const hint = joinHints(field.hint, 'Format attendu : JJ/MM/AAAA, par exemple 12/04/2026.');
  const w = wiring(path, context, true);
  const autocomplete = autocompleteOf(field, inGroup);
  const min = dateBound(field.min);
  const max = dateBound(field.max);
  const bounds = [min ? `à partir du ${frenchDate(min)}` : '', max ? `jusqu’au ${frenchDate(max)}` : ''].filter(Boolean).join(' et ');
  return (
    <Single field={field} w={w} hint={bounds ? `${hint} Date ${bounds}.` : hint}>
      <input
        type="date"
        id={w.id}
        name={path}
        value={parseDateInput(textOf(value)) ?? textOf(value)}
        class="form-input form-input--date"
        {...(min ? { min } : {})}
        {...(max ? { max } : {})}
        {...(autocomplete ? { autocomplete } : {})}
        {...describedBy(w.hintId, w.errorId)}
      />
    </Single>
  );
}

/** `select`: a drop-down list starting with an empty « Choisir… ». */
export function SelectInput({ field, path, value, context, inGroup }: ControlProps<LeafField & { options: SelectOption[] }>) {
  const w = wiring(path, context, Boolean(field.hint));
  const current = textOf(value);
  const autocomplete = autocompleteOf(field, inGroup);
  return (
    <Single field={field} w={w} hint={field.hint}>
      <select id={w.id} name={path} class="form-select" {...(autocomplete ? { autocomplete } : {})} {...describedBy(w.hintId, w.errorId)}>
        <option value="">Choisir…</option>
        {(field.options ?? []).map((option) => (
          <option value={option.value} selected={option.value === current}>
            {option.label}
          </option>
        ))}
      </select>
    </Single>
  );
}

interface Choice { value: string; label: string; hint?: string }

/** Radios or checkboxes in a fieldset whose legend is the question; the first one carries the field's id. */
function ChoiceSet(props: { field: LeafField; path: string; context: FieldRenderContext; type: 'radio' | 'checkbox'; choices: Choice[]; checked: string[]; inline?: boolean; extraHint?: string }) {
  const { field, path, context, choices } = props;
  const hint = joinHints(field.hint, props.extraHint);
  const w = wiring(path, context, Boolean(hint));
  return (
    <fieldset class={fieldClass(w.error, 'form-fieldset')} {...describedBy(w.hintId, w.errorId, false)}>
      <legend>
        {field.label}
        <Optional field={field} />
      </legend>
      {hint ? <Hint id={w.hintId!}>{hint}</Hint> : null}
      <ErrorMessage id={`${w.id}-error`} message={w.error} />
      <div class={`form-choices${props.inline ? ' form-choices--inline' : ''}`}>
        {choices.map((choice, index) => {
          const id = index === 0 ? w.id : partIdOf(path, String(index + 1));
          return (
            <div class="form-choice">
              <input
                type={props.type}
                id={id}
                name={path}
                value={choice.value}
                checked={props.checked.includes(choice.value)}
                {...(choice.hint ? { 'aria-describedby': `${id}-hint` } : {})}
                {...(w.error ? { 'aria-invalid': 'true' } : {})}
              />
              <label for={id}>{choice.label}</label>
              {choice.hint ? (
                <p class="hint form-choice-hint" id={`${id}-hint`}>
                  {choice.hint}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

/** `radio`: one choice. */
export function RadioInput({ field, path, value, context }: ControlProps<LeafField & { options: SelectOption[] }>) {
  return <ChoiceSet field={field} path={path} context={context} type="radio" choices={field.options ?? []} checked={[textOf(value)]} />;
}

/** `checkboxes`: several choices; the bounds are said before the citizen ticks. */
export function CheckboxesInput({ field, path, value, context }: ControlProps<LeafField & { options: SelectOption[]; minItems?: number; maxItems?: number }>) {
  const { minItems, maxItems } = field;
  const bounds = minItems !== undefined && maxItems !== undefined
    ? `Cochez entre ${minItems} et ${maxItems} cases.`
    : minItems !== undefined && minItems > 0 ? `Cochez au moins ${minItems === 1 ? 'une case' : `${minItems} cases`}.`
      : maxItems !== undefined ? `Cochez au plus ${maxItems === 1 ? 'une case' : `${maxItems} cases`}.` : 'Cochez toutes les réponses qui conviennent.';
  return <ChoiceSet field={field} path={path} context={context} type="checkbox" choices={field.options ?? []} checked={listOf(value)} extraHint={bounds} />;
}

/** `yesno`: two radios, « Oui » first, side by side. */
export function YesNoInput({ field, path, value, context }: ControlProps) {
  const text = textOf(value).trim().toLowerCase();
  const checked = text === 'true' || text === 'oui' ? 'true' : text === 'false' || text === 'non' ? 'false' : '';
  const choices = [{ value: 'true', label: 'Oui' }, { value: 'false', label: 'Non' }];
  return <ChoiceSet field={field} path={path} context={context} type="radio" choices={choices} checked={[checked]} inline />;
}

/** Members a `householdMember` field offers, by the role it asks for. */
export function membersFor(role: string | undefined, members: HouseholdMember[]): HouseholdMember[] {
  return members.filter((member) => role === undefined || role === 'any' || member.role === role);
}

/** "Léa Martin" — how a household member is named in forms and answers. */
export function memberName(member: HouseholdMember): string {
  return `${member.firstNames} ${member.lastName}`.trim();
}

/** `householdMember`: radios of the members of the right role, or the way to declare them. */
export function HouseholdMemberInput({ field, path, value, context }: ControlProps<LeafField & { memberRole?: string }>) {
  const members = membersFor(field.memberRole, context.householdMembers);
  if (members.length > 0) {
    const choices = members.map((member) => ({
      value: String(member.id),
      label: memberName(member),
      ...(member.birthDate ? { hint: `Date de naissance : ${frenchDate(member.birthDate)}` } : {}),
    }));
    return <ChoiceSet field={field} path={path} context={context} type="radio" choices={choices} checked={[textOf(value)]} />;
  }
  const w = wiring(path, context, false);
  const who = field.memberRole === 'child' ? 'aucun enfant' : field.memberRole === 'adult' ? 'aucun adulte' : 'aucune personne';
  return (
    <div class={fieldClass(w.error, 'form-fieldset')}>
      <p class="form-label-text">
        {field.label}
        <Optional field={field} />
      </p>
      <ErrorMessage id={`${w.id}-error`} message={w.error} />
      <p class="notice">
        Votre foyer ne compte {who} pour cette question.{' '}
        <a id={w.id} href="/mon-espace/foyer" {...describedBy(null, w.errorId, false)}>
          Déclarez les membres de votre foyer
        </a>{' '}
        dans votre espace, puis revenez à cette démarche : vos réponses sont conservées.
      </p>
    </div>
  );
}
