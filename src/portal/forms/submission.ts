/**
 * A draft becomes a case through THE intake, exactly once: the draft id is the idempotency key, so
 * a double click, a retry or a second tab replays the first answer instead of making a second case.
 */
import { attachmentRepository } from '../../attachments/repository.js';
import type { CitizenProfile } from '../../citizens/profile.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { hashRequest, idempotencyRepository } from '../../intake/idempotency.js';
import { submitCase, type IntakeDeps, type IntakeReceipt } from '../../intake/service.js';
import type { Field } from '../../procedures/form/definition.js';
import type { Procedure } from '../../procedures/repository.js';
import { draftRepository, type Draft } from './repository.js';
import { citizenOfContact, citizenOfProfile, validateDraft, type DraftContact } from './service.js';

const IDEMPOTENCY_SCOPE = 'portal-draft';

export interface DraftSubmission {
  organisationId: number;
  procedure: Procedure;
  draft: Draft;
  /** The signed-in citizen (then `profile` is theirs), or null: then `contact` says who asks. */
  citizenId: number | null;
  profile: CitizenProfile | undefined;
  contact: DraftContact | null;
  householdMemberIds: string[] | undefined;
}

/** The case made, or the errors to correct: on the form's pages (`data`) or in the contact step (`citizen`). */
export type SubmissionOutcome = { ok: true; caseId: number } | { ok: false; on: 'data' | 'citizen'; errors: FieldError[] };

/** Validates the draft as a whole, sends it to the intake, and marks it submitted. */
export async function submitDraft(deps: IntakeDeps, s: DraftSubmission): Promise<SubmissionOutcome> {
  const { draft, procedure } = s;
  const checked = validateDraft(procedure.form, draft.data, { householdMemberIds: s.householdMemberIds });
  if (!checked.ok) return { ok: false, on: 'data', errors: checked.errors };
  const citizen = s.citizenId !== null ? citizenOfProfile(s.profile) : s.contact ? citizenOfContact(s.contact) : null;
  const owned = new Set((await attachmentRepository.listForDraft(deps.db.kysely, draft.id)).map((a) => a.id));
  const data = keepOwnFiles(procedure.form.pages.flatMap((p) => p.fields), draft.data, owned);
  let caseId: number;
  try {
    const { receipt } = await submitCase(deps, {
      organisationId: s.organisationId,
      procedureSlug: procedure.slug,
      channel: 'web',
      actor: { type: 'citizen', id: s.citizenId !== null ? String(s.citizenId) : null },
      citizen,
      ...(s.citizenId !== null ? { citizenId: s.citizenId } : {}),
      data,
      hiddenFields: 'drop',
      // The review page told the citizen so before they sent it (views/review.tsx).
      publicReport: procedure.publishesReports,
      // The hash covers the draft as stored: a concurrent click may find the files already linked by the first one.
      idempotency: { scope: IDEMPOTENCY_SCOPE, key: draft.id, requestHash: hashRequest({ data: draft.data, citizen, citizenId: s.citizenId }) },
    });
    caseId = receipt.caseId;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // Sent meanwhile from another tab with other answers: the first submission is the one that counts.
    const earlier = error.code === 'idempotency_key_reused' ? await submittedReceipt(deps, draft.id) : undefined;
    if (!earlier) return outcomeOfIntakeError(error);
    caseId = earlier.caseId;
  }
  await draftRepository.markSubmitted(deps.db.kysely, draft.id, caseId, new Date().toISOString());
  return { ok: true, caseId };
}

/** What the intake answered when the draft was submitted (reference, tracking code, department…). */
export async function submittedReceipt(deps: Pick<IntakeDeps, 'db'>, draftId: string): Promise<IntakeReceipt | undefined> {
  return (await idempotencyRepository.find<IntakeReceipt>(deps.db.kysely, IDEMPOTENCY_SCOPE, draftId))?.response;
}

/** The intake's field errors, brought back to the step where they can be corrected; anything else is thrown. */
function outcomeOfIntakeError(error: AppError): SubmissionOutcome {
  const under = (prefix: string) => error.errors.filter((e) => e.field.startsWith(prefix)).map((e) => ({ ...e, field: e.field.slice(prefix.length) }));
  const data = under('data.');
  if (data.length > 0) return { ok: false, on: 'data', errors: data };
  const citizen = under('citizen.');
  if (citizen.length > 0) return { ok: false, on: 'citizen', errors: citizen };
  throw error;
}

/** The answers with file values reduced to the draft's own files (the intake then checks type and size). */
function keepOwnFiles(fields: Field[], data: Record<string, unknown>, owned: Set<string>): Record<string, unknown> {
  const keep = (value: unknown) => (Array.isArray(value) ? value.filter((id) => typeof id === 'string' && owned.has(id)) : value);
  const result = { ...data };
  for (const field of fields) {
    const value = result[field.name];
    if (field.type === 'file') result[field.name] = keep(value);
    if (field.type !== 'group' || !Array.isArray(value)) continue;
    const files = field.fields.filter((f) => f.type === 'file').map((f) => f.name);
    if (files.length === 0) continue;
    result[field.name] = value.map((item: unknown) =>
      item && typeof item === 'object' ? { ...item, ...Object.fromEntries(files.map((n) => [n, keep((item as Record<string, unknown>)[n])])) } : item,
    );
  }
  return result;
}
