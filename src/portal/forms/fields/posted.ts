/**
 * From a posted HTML form back to answers: inputs are named by field path, so this turns the
 * flat body (`adresse.postcode`, `responsables[0].nom`, repeated checkbox names) into the nested
 * raw values `validateSubmission` reads. It never throws: odd input (a list where one value was
 * expected, a missing part, a key such as `__proto__`) becomes something the validator refuses
 * politely or is ignored.
 */
import type { Field, GroupField, LeafField } from '../../../procedures/form/definition.js';
import { DEFAULTS } from '../../../procedures/form/definition.js';
import { isRecord, own, removeInputName, setOwn, vaultInputName } from './paths.js';
import { shownItems } from './groups.js';

/** Items read from one group, whatever indices a tampered body holds. */
const MAX_ITEMS_READ = 200;
const ADDRESS_PARTS = ['line1', 'line2', 'postcode', 'city', 'country', 'banId'];
const GEOLOCATION_PARTS = ['address', 'lat', 'lon'];
const ATTACHMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The one text a scalar input posted (the first, if the name came several times). */
function scalar(raw: unknown): string {
  const first = Array.isArray(raw) ? raw[0] : raw;
  return typeof first === 'string' ? first : '';
}

/** The texts a repeated input posted, in order. */
function texts(raw: unknown): string[] {
  return (Array.isArray(raw) ? raw : [raw]).filter((item): item is string => typeof item === 'string');
}

function compound(body: Record<string, unknown>, path: string, parts: string[]): Record<string, unknown> | undefined {
  const present = parts.filter((part) => Object.hasOwn(body, `${path}.${part}`));
  if (present.length === 0) return undefined;
  const value: Record<string, unknown> = {};
  for (const part of present) setOwn(value, part, scalar(body[`${path}.${part}`]));
  return value;
}

/** The raw answer of one non-group field at `path`, or undefined when the body has none. */
function readLeaf(field: LeafField, body: Record<string, unknown>, path: string): unknown {
  switch (field.type) {
    case 'address': return compound(body, path, ADDRESS_PARTS);
    case 'geolocation': return compound(body, path, GEOLOCATION_PARTS);
    case 'checkboxes': return Object.hasOwn(body, path) ? texts(body[path]) : undefined;
    case 'file': return Object.hasOwn(body, path) ? texts(body[path]).filter((id) => ATTACHMENT_ID.test(id)) : undefined;
    default: return Object.hasOwn(body, path) ? scalar(body[path]) : undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Indices of the items of group `path` the body has inputs for, ascending (bounded). */
export function postedItemIndices(body: Record<string, unknown>, path: string): number[] {
  const pattern = new RegExp(`^${escapeRegExp(path)}\\[(\\d{1,4})\\]\\.`);
  const indices = new Set<number>();
  for (const key of Object.keys(body)) {
    const match = pattern.exec(key);
    if (match) indices.add(Number(match[1]));
    if (indices.size >= MAX_ITEMS_READ) break;
  }
  return [...indices].sort((a, b) => a - b);
}

function groupFields(group: GroupField): LeafField[] {
  return Array.isArray(group.fields) ? group.fields : [];
}

function readGroup(group: GroupField, body: Record<string, unknown>, path: string): unknown {
  const indices = postedItemIndices(body, path);
  if (indices.length === 0) return undefined;
  return indices.map((index) => {
    const item: Record<string, unknown> = {};
    for (const field of groupFields(group)) {
      const value = readLeaf(field, body, `${path}[${index}].${field.name}`);
      if (value !== undefined) setOwn(item, field.name, value);
    }
    return item;
  });
}

/**
 * The raw answers of `fields` read from a posted body (urlencoded or the text parts of a multipart body, as a
 * plain object whose values are string | string[]). The result is what `validateSubmission` accepts
 * (address → object, checkboxes → string[], yesno → 'true'/'false', groups → array of objects, file → string[] of
 * the attachment ids kept). Fields absent from the body are absent from the result.
 */
export function readPostedValues(fields: Field[], body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (!Array.isArray(fields) || !isRecord(body)) return values;
  for (const field of fields) {
    const value = field.type === 'group' ? readGroup(field, body, field.name) : readLeaf(field, body, field.name);
    if (value !== undefined) setOwn(values, field.name, value);
  }
  return values;
}

/** Every file field path of the page as posted: top-level ones, and those of each posted group item. */
function filePaths(fields: Field[], body: Record<string, unknown>): string[] {
  return fields.flatMap((field) => {
    if (field.type === 'file') return [field.name];
    if (field.type !== 'group') return [];
    const inner = groupFields(field).filter((f) => f.type === 'file');
    return postedItemIndices(body, field.name).flatMap((index) => inner.map((f) => `${field.name}[${index}].${f.name}`));
  });
}

/** For each file field path on this page: the vault document ids the citizen picked and the attachment ids to remove. */
export function readFileActions(fields: Field[], body: Record<string, unknown>): { path: string; vaultIds: number[]; removeIds: string[] }[] {
  if (!Array.isArray(fields) || !isRecord(body)) return [];
  return filePaths(fields, body).map((path) => ({
    path,
    vaultIds: [...new Set(texts(own(body, vaultInputName(path))).filter((id) => /^[1-9]\d{0,14}$/.test(id)).map(Number))],
    removeIds: [...new Set(texts(own(body, removeInputName(path))).filter((id) => ATTACHMENT_ID.test(id)))],
  }));
}

const ACTION = /^(add):([a-z][a-zA-Z0-9_]*)$|^(remove):([a-z][a-zA-Z0-9_]*)\[(\d{1,4})\]$/;

/**
 * Repeatable groups: the posted body's `_action` value "add:<path>" / "remove:<path>[i]" returns the new values,
 * or null when the action names no group of `fields` or would break its bounds (adding beyond
 * `maxItems`, removing below `minItems`, removing an item that does not exist).
 */
export function applyGroupAction(fields: Field[], values: Record<string, unknown>, action: string): Record<string, unknown> | null {
  const match = typeof action === 'string' ? ACTION.exec(action) : null;
  if (!match || !Array.isArray(fields)) return null;
  const name = match[2] ?? match[4]!;
  const group = fields.find((field): field is GroupField => field.type === 'group' && field.name === name);
  if (!group) return null;
  const items = shownItems(group, own(values, name));
  if (match[1] === 'add') {
    if (items.length >= (group.maxItems ?? DEFAULTS.groupMaxItems)) return null;
    items.push({});
  } else {
    const index = Number(match[5]);
    if (index >= items.length || items.length <= (group.minItems ?? 0)) return null;
    items.splice(index, 1);
  }
  const next: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(isRecord(values) ? values : {})) setOwn(next, key, value);
  setOwn(next, name, items);
  return next;
}
