import { normaliseTrackingCode } from '../cases/codes.js';
import { caseRepository } from '../cases/repository.js';
import type { Executor } from '../db/transaction.js';
import { messageRepository } from '../messages/repository.js';
import { statusOf } from '../workflow/engine.js';
import { workflowRepository } from '../workflow/repository.js';

/** What the holder of a tracking code may see of a case: its progress and what was written to them. */
export interface TrackedCase {
  reference: string;
  procedureTitle: string;
  status: { label: string; closed: boolean };
  receivedAt: string;
  dueAt: string | null;
  implicitDecisionAt: string | null;
  steps: { at: string; label: string }[];
  messages: { at: string; subject: string; body: string; channel: string }[];
}

/**
 * The case behind a tracking code, as its citizen sees it: citizen-facing status labels, no agent
 * notes, no internal events, no personal data beyond the messages sent to them.
 */
export async function trackCase(db: Executor, code: string): Promise<TrackedCase | null> {
  const trackingCode = normaliseTrackingCode(code);
  if (!trackingCode) return null;
  const view = await caseRepository.findByTrackingCode(db, trackingCode);
  if (!view) return null;
  const workflow = view.workflowId !== null ? await workflowRepository.byId(db, view.workflowId) : undefined;
  const label = (status: string) => {
    try {
      return workflow ? statusOf(workflow.definition, status).citizenLabel : status;
    } catch {
      return status;
    }
  };
  const journal = await caseRepository.listJournal(db, view.id);
  const steps = journal.flatMap((e): { at: string; label: string }[] => {
    if (e.type === 'case.created') return [{ at: e.createdAt, label: 'Demande reçue' }];
    if (e.type === 'status.changed' && e.payload['from'] !== e.payload['to']) return [{ at: e.createdAt, label: label(String(e.payload['to'])) }];
    if (e.type === 'decision.implicit') return [{ at: e.createdAt, label: e.payload['regime'] === 'accord' ? 'Accord implicite (silence de l’administration)' : 'Rejet implicite (silence de l’administration)' }];
    return [];
  });
  const messages = (await messageRepository.listForCase(db, view.id))
    .filter((m) => m.direction === 'out' && m.channel !== 'agent_email')
    .map((m) => ({ at: m.created_at, subject: m.subject, body: m.body_text, channel: m.channel }));
  return {
    reference: view.reference,
    procedureTitle: view.procedure?.title ?? view.subject,
    status: { label: label(view.status), closed: view.closedAt !== null },
    receivedAt: view.receivedAt,
    dueAt: view.dueAt,
    implicitDecisionAt: view.implicitDecisionAt,
    steps,
    messages,
  };
}
