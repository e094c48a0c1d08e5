import type { FormDefinition, LeafField } from '../procedures/form/definition.js';
import { isVisible, validateSubmission, type FieldError } from '../procedures/form/validate.js';
import type { Status, StatusCategory, Transition, TransitionInput, WorkflowDefinition, WorkflowRole } from './definition.js';

/** Categories in which a case is finished: its clock stops and it leaves the open inbox. */
export const CLOSED_CATEGORIES: readonly StatusCategory[] = ['closed_accepted', 'closed_refused', 'closed_without_action'];

export function isClosedCategory(category: StatusCategory): boolean {
  return CLOSED_CATEGORIES.includes(category);
}

/** The status with this id; a case's status always exists in the version it started with. */
export function statusOf(def: WorkflowDefinition, id: string): Status {
  const status = def.statuses.find((s) => s.id === id);
  if (!status) throw new Error(`status ${id} is not in this workflow version`);
  return status;
}

/** Transitions leaving a status: listed explicitly, or through '*' when the status is not closed. */
export function transitionsFrom(def: WorkflowDefinition, statusId: string): Transition[] {
  const closed = isClosedCategory(statusOf(def, statusId).category);
  return def.transitions.filter((t) => t.from.includes(statusId) || (!closed && t.from.includes('*')));
}

/** What someone with these roles may do now on a case in this status with this data. */
export function allowedTransitions(def: WorkflowDefinition, statusId: string, roles: readonly WorkflowRole[], data: Record<string, unknown>): Transition[] {
  return transitionsFrom(def, statusId).filter((t) => t.roles.some((r) => roles.includes(r)) && (!t.condition || isVisible(t.condition, data)));
}

/** The outcome recorded on a case closed in this category. */
export function outcomeOf(category: StatusCategory): 'accepted' | 'refused' | 'without_action' | null {
  switch (category) {
    case 'closed_accepted':
      return 'accepted';
    case 'closed_refused':
      return 'refused';
    case 'closed_without_action':
      return 'without_action';
    default:
      return null;
  }
}

/**
 * Validates a transition's inputs with the one form validator: the inputs are turned into a
 * one-page form, so a missing reason gets the same error shape and wording as any form field.
 */
export function validateInputs(transition: Transition, inputs: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] } {
  const form: FormDefinition = { version: 1, pages: [{ id: 'transition', title: transition.label, fields: (transition.inputs ?? []).map(toField) }] };
  return validateSubmission(form, inputs ?? {}, { hiddenFields: 'reject' });
}

function toField(input: TransitionInput): LeafField {
  const base = { name: input.name, label: input.label, ...(input.required ? { required: true } : {}) };
  switch (input.type) {
    case 'document':
      return { ...base, type: 'file', maxFiles: 5 };
    case 'select':
      return { ...base, type: 'select', options: input.options ?? [] };
    default:
      return { ...base, type: input.type };
  }
}
