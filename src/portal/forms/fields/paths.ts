/**
 * Field paths and the names and ids derived from them. A path is what the validator reports
 * errors on: `nom`, `adresse.postcode`, `responsables[0].nom`. Inputs are named by path, so
 * the posted body and the validator speak the same language.
 */

/** Parts of a compound value whose input is the first one of the field (or a hidden one). */
const FIRST_OR_HIDDEN_PART = /^(.*[^\]])\.(line1|country|banId|address|lat|lon)$/;

/**
 * The id of the input (or first input) of a field path; error summaries link to `#${inputIdOf(path)}`.
 * An error on a part that has no visible input of its own (an address's first line, a position's
 * coordinates) links to the field's first input. Field names are identifiers, so replacing
 * punctuation by hyphens cannot make two paths collide.
 */
export function inputIdOf(path: string): string {
  const owner = FIRST_OR_HIDDEN_PART.exec(path)?.[1] ?? path;
  return `champ-${owner.replace(/[.[\]]+/g, '-').replace(/-$/, '')}`;
}

/** The id of a secondary input of a field (`adresse.postcode`, the second radio button…). */
export function partIdOf(path: string, part: string): string {
  return `${inputIdOf(path)}-${part.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
}

/** The name of the `<input type="file">` of a file field path: the flow reads uploaded parts by this name. */
export function fileInputName(path: string): string {
  return `${path}.__fichier`;
}

/** Name of the "Retirer" checkboxes of a file field (ids of attachments to take off). */
export const removeInputName = (path: string): string => `${path}.__retirer`;
/** Name of the "Utiliser un document de mon porte-documents" checkboxes of a file field. */
export const vaultInputName = (path: string): string => `${path}.__coffre`;

/** The value of an own property, never one inherited from `Object.prototype`. */
export function own(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null && !Array.isArray(record) && Object.hasOwn(record, key)
    ? (record as Record<string, unknown>)[key]
    : undefined;
}

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even when the key is `__proto__` (which plain assignment would not). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
