/** Items of repeatable groups, as shown and as changed by « Ajouter » / « Retirer ». */
import type { GroupField } from '../../../procedures/form/definition.js';
import { isRecord } from './paths.js';

/** Hidden input posted with every group item, so an item whose inputs are all empty still counts. */
export const ITEM_MARKER = '__element';

/** Items of a group value as records (odd input gives empty items, never a crash). */
export function itemsOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map((item) => (isRecord(item) ? item : {})) : [];
}

/** The items a group shows: its value's, but at least `minItems` (and one when the group is required). */
export function shownItems(group: GroupField, value: unknown): Record<string, unknown>[] {
  const items = itemsOf(value);
  const min = Math.max(group.minItems ?? 0, group.required ? 1 : 0);
  while (items.length < min) items.push({});
  return items;
}
