/**
 * Form field components of the citizen portal (first, basic version of the contract with the
 * form flow; see .prof/forms-contract.md).
 */
import type { JSX } from 'preact';
import type { Field } from '../../../procedures/form/definition.js';
import type { HouseholdMember } from '../../../citizens/profile.js';
import type { VaultDocument } from '../../space/vault-repository.js';
import { isVisible } from '../../../procedures/form/conditions.js';

export interface UploadedFile { id: string; filename: string; size: number; mimeType: string }
export interface FieldRenderContext {
  /** Raw answers of the whole draft so far (as `readPostedValues` returns them), for values and conditions. */
  values: Record<string, unknown>;
  /** Field path ("adresse", "adresse.postcode", "responsables[0].nom") → French error message. */
  errors: Map<string, string>;
  householdMembers: HouseholdMember[];
  /** Files already attached to the draft, by attachment id (file fields' values are lists of ids). */
  uploads: Map<string, UploadedFile>;
  /** The signed-in citizen's document safe (empty when signed out). */
  vault: VaultDocument[];
  /** Address completion from the national address API is available (config ADDRESS_API_URL set). */
  addressApi: boolean;
  /** Map tiles, or null: then geolocation fields show the address input only. */
  map: { tileUrl: string; attribution: string } | null;
}

const COMPOUND_PART = /^(.*[^\]])\.(line1|country|banId|address|lat|lon)$/;

/** The id of the input (or first input) of a field path; error summaries link to `#${inputIdOf(path)}`. */
export function inputIdOf(path: string): string {
  const owner = COMPOUND_PART.exec(path)?.[1] ?? path;
  return `champ-${owner.replace(/[.[\]]+/g, '-').replace(/-$/, '')}`;
}

/** The name of the `<input type="file">` of a file field path: the flow reads uploaded parts by this name. */
export function fileInputName(path: string): string {
  return `${path}.__fichier`;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

/** The inputs of a list of fields (one page), in order, each with label, hint, error and current value. */
export function FormFields(props: { fields: Field[]; context: FieldRenderContext }): JSX.Element {
  return (
    <>
      {props.fields.map((field) => {
        const id = inputIdOf(field.name);
        const error = props.context.errors.get(field.name);
        return (
          <div class="form-field" hidden={!isVisible(field.visibleWhen, props.context.values)} {...(field.visibleWhen ? { 'data-visible-when': JSON.stringify(field.visibleWhen) } : {})}>
            <label for={id}>{field.label}{field.required ? ' (obligatoire)' : ''}</label>
            {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
            <input type="text" id={id} name={field.name} value={text(props.context.values[field.name])} {...(error ? { 'aria-invalid': 'true', 'aria-describedby': `${id}-error` } : {})} />
          </div>
        );
      })}
    </>
  );
}

/** The raw answers of `fields` read from a posted body; fields absent from the body are absent from the result. */
export function readPostedValues(fields: Field[], body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    if (Object.hasOwn(body, field.name)) values[field.name] = body[field.name];
  }
  return values;
}

/** For each file field path on this page: the vault document ids the citizen picked and the attachment ids to remove. */
export function readFileActions(fields: Field[], body: Record<string, unknown>): { path: string; vaultIds: number[]; removeIds: string[] }[] {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
  return fields.filter((field) => field.type === 'file').map((field) => ({
    path: field.name,
    vaultIds: list(body[`${field.name}.__coffre`]).map(Number).filter(Number.isSafeInteger),
    removeIds: list(body[`${field.name}.__retirer`]),
  }));
}

/** Read-only display of answers with the form's labels (check-your-answers page, case page), as a <dl>. */
export function AnswerList(props: { fields: Field[]; values: Record<string, unknown>; context: Pick<FieldRenderContext, 'householdMembers' | 'uploads'> }): JSX.Element {
  return (
    <dl class="answers">
      {props.fields.filter((field) => Object.hasOwn(props.values, field.name)).map((field) => (
        <>
          <dt>{field.label}</dt>
          <dd>{JSON.stringify(props.values[field.name])}</dd>
        </>
      ))}
    </dl>
  );
}

/** Repeatable groups: the posted body's `_action` value "add:<path>" / "remove:<path>[i]" returns the new values. */
export function applyGroupAction(_fields: Field[], _values: Record<string, unknown>, _action: string): Record<string, unknown> | null {
  return null;
}
