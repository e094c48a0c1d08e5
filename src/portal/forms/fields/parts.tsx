/** Pieces every field is made of: label, hint, error message, and their wiring for screen readers. */
import type { ComponentChildren } from 'preact';
import type { Field } from '../../../procedures/form/definition.js';
import type { HouseholdMember } from '../../../citizens/profile.js';
import type { VaultDocument } from '../../space/vault-repository.js';

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
  /**
   * The installation's upload limit (config ATTACHMENT_MAX_BYTES), announced under file fields
   * with the field's own lower limit; optional addition to the contract, 20 Mo (the default) when absent.
   */
  maxUploadBytes?: number;
}

/** The page's legend says every field is required unless marked: optional ones say so. */
export function Optional({ field }: { field: Pick<Field, 'required' | 'label'> }) {
  if (field.required === true || /\(facultati(f|ve)\)\s*$/i.test(field.label)) return null;
  return <span class="form-optional"> (facultatif)</span>;
}

/** Hint text under a label, referenced by the input's `aria-describedby`. */
export function Hint({ id, children }: { id: string; children: ComponentChildren }) {
  return (
    <p class="hint" id={id}>
      {children}
    </p>
  );
}

/** The error message at the field, prefixed for screen readers (colour is never the only cue). */
export function ErrorMessage({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="field-error" id={id}>
      <span class="sr-only">Erreur : </span>
      {message}
    </p>
  );
}

/** `aria-describedby` (hint then error) and `aria-invalid` for an input or a fieldset. */
export function describedBy(hintId: string | null, errorId: string | null, invalid = errorId !== null): Record<string, string> {
  const ids = [hintId, errorId].filter((id): id is string => id !== null).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(invalid ? { 'aria-invalid': 'true' } : {}) };
}

/** A posted scalar as text for an input's value (the first item if a list came in). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return textOf(value[0]);
  return '';
}

/** A posted list as strings (a single value is a one-item list). */
export function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map(textOf).filter((item) => item !== '');
}
