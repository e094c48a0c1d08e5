import type { Executor } from '../db/transaction.js';
import { deadlineState, departmentCalendar } from '../deadlines/business-time.js';
import { organisationRepository } from '../organisations/repository.js';
import { procedureRepository } from '../procedures/repository.js';
import { caseRepository, type CaseView } from './repository.js';

/** Where a case stands against its handling deadline, as agents and citizens are shown it. */
export interface CaseDeadline {
  state: 'on_time' | 'at_risk' | 'overdue' | 'paused';
  /** Share of the allotted business time already used (0.8 and more: at risk). */
  elapsedRatio: number;
}

/**
 * The deadline state of an open case with a due time: measured in the procedure's unit over the
 * department's calendar, minus the time spent waiting for the citizen; `paused` while waiting.
 */
export async function deadlineOf(db: Executor, timezone: string, view: CaseView, now = new Date()): Promise<CaseDeadline | null> {
  if (view.closedAt !== null || view.dueAt === null) return null;
  const [pauses, department, procedure] = await Promise.all([
    caseRepository.listPauses(db, view.id),
    organisationRepository.findDepartment(db, view.department.id),
    view.procedureId !== null ? procedureRepository.findById(db, view.procedureId) : Promise.resolve(undefined),
  ]);
  const spans = pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null }));
  const { state, elapsedRatio } = deadlineState(new Date(view.receivedAt), new Date(view.dueAt), now, departmentCalendar(department?.openingHours ?? {}, timezone), spans, procedure?.target.unit ?? 'business_hours');
  const paused = spans.some((p) => p.to === null);
  return { state: paused ? 'paused' : state, elapsedRatio: Math.round(elapsedRatio * 1000) / 1000 };
}
