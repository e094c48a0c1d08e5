import { inboxRepository, type CaseFacts } from '../../cases/inbox-repository.js';
import type { Actor } from '../../cases/journal.js';
import { caseRepository } from '../../cases/repository.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../http/errors.js';
import { transferCase } from '../../routing/service.js';
import { runTransition, type WorkflowDeps } from '../../workflow/service.js';
import { sendAgentReply } from '../cases/reply/service.js';
import { renderResponseTemplate, templatesFor } from '../templates/render.js';
import { visibleCaseIds, workflowCallerOf, type AgentScope } from '../policy.js';
import type { AgentSession } from '../session.js';

/**
 * Bulk actions of the inbox: the same change on several cases. Access is checked as a set first
 * (cases the agent may not see are left out, reported as not found, never revealed); then each
 * case changes in its own transaction with its journal entry, version-checked against the version
 * the agent saw, so one conflict or one unavailable transition fails that case only. The outcome
 * is reported case by case.
 */

/** Most cases one bulk action may touch (a page of the inbox). */
export const BULK_LIMIT = 100;

export type BulkAction =
  | { kind: 'assign'; agentId: number }
  | { kind: 'transfer'; departmentId: number; reason: string }
  | { kind: 'transition'; name: string; templateId: number | null };

/** A selected case: its id and the version the agent saw when ticking it. */
export interface BulkTarget {
  id: number;
  version: number;
}

export type BulkOutcomeCode = 'done' | 'unchanged' | 'not_found' | 'version_conflict' | 'not_available' | 'forbidden' | 'invalid' | 'message_failed' | 'failed';

export interface BulkOutcome {
  /** The case's reference, or null when it is not one the agent may see. */
  reference: string | null;
  code: BulkOutcomeCode;
  /** Why, in French, when it did not go through. */
  message: string | null;
}

export interface BulkContext {
  deps: WorkflowDeps;
  session: AgentSession;
  scope: AgentScope;
}

/** Runs a bulk action case by case and reports each outcome. */
export async function runBulkAction(ctx: BulkContext, action: BulkAction, targets: readonly BulkTarget[]): Promise<BulkOutcome[]> {
  const db = ctx.deps.db.kysely;
  const facts = await inboxRepository.factsOf(db, ctx.scope.organisationId, targets.map((t) => t.id));
  const visible = new Set(visibleCaseIds(ctx.scope, facts));
  const byId = new Map(facts.map((f) => [f.id, f]));
  let assignable: Map<number, Set<number>> | null = null;
  if (action.kind === 'assign') assignable = await inboxRepository.departmentsOfAgent(db, action.agentId, ctx.scope.organisationId);

  const outcomes: BulkOutcome[] = [];
  for (const target of targets) {
    const fact = byId.get(target.id);
    if (!fact || !visible.has(fact.id)) {
      outcomes.push({ reference: null, code: 'not_found', message: 'Dossier introuvable.' });
      continue;
    }
    try {
      outcomes.push(await runOne(ctx, action, fact, target.version, assignable));
    } catch (error) {
      outcomes.push({ reference: fact.reference, ...outcomeOfError(error) });
    }
  }
  return outcomes;
}

async function runOne(ctx: BulkContext, action: BulkAction, fact: CaseFacts, version: number, assignable: Map<number, Set<number>> | null): Promise<BulkOutcome> {
  const actor: Actor = { type: 'agent', id: String(ctx.session.agentId) };
  if (version !== fact.version) throw new AppError('version_conflict');
  switch (action.kind) {
    case 'assign': {
      const departments = assignable?.get(action.agentId);
      if (!departments?.has(fact.department.id)) {
        return { reference: fact.reference, code: 'invalid', message: 'Cet agent n’appartient pas au service du dossier.' };
      }
      if (fact.assignedAgentId === action.agentId) return { reference: fact.reference, code: 'unchanged', message: 'Déjà attribué à cet agent.' };
      await transaction(ctx.deps.db, async (trx) => {
        const now = new Date().toISOString();
        if (!(await caseRepository.applyChange(trx, fact.id, version, { assignedAgentId: action.agentId }, now))) throw new AppError('version_conflict');
        await caseRepository.appendJournal(
          trx,
          fact.id,
          fact.reference,
          [{ type: 'case.assigned', actor, payload: { agentId: action.agentId, previousAgentId: fact.assignedAgentId, by: 'agent', bulk: true } }],
          now,
        );
      });
      return { reference: fact.reference, code: 'done', message: null };
    }
    case 'transfer':
      await transferCase(ctx.deps.db, {
        organisationId: ctx.scope.organisationId,
        reference: fact.reference,
        actor,
        departmentId: action.departmentId,
        reason: action.reason,
        expectedVersion: version,
      });
      return { reference: fact.reference, code: 'done', message: null };
    case 'transition': {
      const caller = workflowCallerOf(ctx.scope, ctx.session, fact.department.id);
      let templateId: number | null = null;
      if (action.templateId !== null) {
        // A template meant for another department or procedure is not sent on this case.
        const choices = await templatesFor(ctx.deps.db.kysely, ctx.scope.organisationId, { departmentId: fact.department.id, procedureId: fact.procedureId });
        if (!choices.some((c) => c.id === action.templateId)) {
          return { reference: fact.reference, code: 'invalid', message: 'Ce modèle de réponse ne s’applique pas à ce dossier : rien n’a été fait.' };
        }
        templateId = action.templateId;
      }
      const moved = await runTransition(ctx.deps, caller, { reference: fact.reference, name: action.name, expectedVersion: version });
      if (templateId === null) return { reference: fact.reference, code: 'done', message: null };
      try {
        const agent = { id: ctx.session.agentId, name: ctx.session.name, email: ctx.session.email };
        const rendered = await renderResponseTemplate(ctx.deps.db.kysely, templateId, {
          organisationId: ctx.scope.organisationId,
          caseId: fact.id,
          agent,
          publicUrl: ctx.deps.publicUrl,
          timezone: ctx.deps.timezone,
        });
        await sendAgentReply(ctx.deps, {
          organisationId: ctx.scope.organisationId,
          caseId: fact.id,
          agent: { id: agent.id, name: agent.name },
          subject: rendered.subject,
          body: rendered.body,
          channel: 'auto',
          expectedVersion: moved.version,
        });
      } catch {
        return { reference: fact.reference, code: 'message_failed', message: 'L’action est faite, mais le message n’a pas pu être envoyé : répondez depuis le dossier.' };
      }
      return { reference: fact.reference, code: 'done', message: null };
    }
  }
}

function outcomeOfError(error: unknown): Omit<BulkOutcome, 'reference'> {
  if (!(error instanceof AppError)) return { code: 'failed', message: 'Une erreur inattendue a empêché l’action sur ce dossier.' };
  switch (error.code) {
    case 'version_conflict':
      return { code: 'version_conflict', message: 'Le dossier a été modifié par quelqu’un d’autre entre-temps : rouvrez la liste et recommencez.' };
    case 'transition_not_available':
    case 'transition_unknown':
      return { code: 'not_available', message: error.detail ?? 'Cette action n’est pas possible sur ce dossier.' };
    case 'transition_forbidden':
      return { code: 'forbidden', message: error.detail ?? 'Votre rôle ne permet pas cette action sur ce dossier.' };
    case 'not_found':
      return { code: 'not_found', message: 'Dossier introuvable.' };
    default:
      return { code: 'invalid', message: error.errors.length > 0 ? error.errors.map((e) => e.message).join(' ') : (error.detail ?? error.message) };
  }
}
