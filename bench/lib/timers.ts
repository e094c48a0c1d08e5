/**
 * The backlog of the timer sweep: `count` cases of one procedure sitting in a status whose timer
 * (take the `relancer` transition) fell due, each with its pending `workflow.timer` job — what a
 * town sees after a long weekend when thousands of reminders come due at once.
 */
import { sql } from 'kysely';
import { bulkCaseRepository, type BulkCaseRow } from '../../src/cases/bulk-repository.js';
import type { Db } from '../../src/db/database.js';
import { toJson, transaction } from '../../src/db/transaction.js';
import { DEFAULT_OPENING_HOURS } from '../../src/deadlines/opening-hours.js';
import { demoRepository } from '../../src/demo/repository.js';
import { jobRepository, type NewJob } from '../../src/jobs/repository.js';
import { procedureRepository } from '../../src/procedures/repository.js';
import type { WorkflowDefinition } from '../../src/workflow/definition.js';
import { workflowRepository } from '../../src/workflow/repository.js';

const BATCH = 5_000;

const WORKFLOW: WorkflowDefinition = {
  version: 1,
  initial: 'attente',
  statuses: [
    {
      id: 'attente',
      label: 'En attente de relance',
      citizenLabel: 'En cours',
      category: 'in_progress',
      timers: [{ after: { value: 1, unit: 'calendar_days' }, transition: 'relancer' }],
    },
    { id: 'relance', label: 'Relancé', citizenLabel: 'En cours', category: 'in_progress' },
    { id: 'clos', label: 'Clos', citizenLabel: 'Terminée', category: 'closed_accepted' },
  ],
  transitions: [
    { name: 'relancer', label: 'Relancer', from: ['attente'], to: 'relance', roles: [] },
    { name: 'clore', label: 'Clore', from: ['attente', 'relance'], to: 'clos', roles: ['agent'] },
  ],
};

export async function seedDueTimers(db: Db, count: number): Promise<void> {
  const now = new Date();
  const nowIso = now.toISOString();
  const enteredAt = new Date(now.getTime() - 2 * 86_400_000).toISOString();
  const { organisationId, departmentId, procedureId, workflowId } = await transaction(db, async (trx) => {
    const organisationId = await demoRepository.insertOrganisation(
      trx,
      { slug: 'banc-minuteries', name: 'Banc d’essai des minuteries', cog: '00000', siren: '000000000', address: '1 place du Banc', email: 'banc@banc.example', phone: '+33100000000', website: 'https://banc.example', branding: {} },
      nowIso,
    );
    const departmentId = await demoRepository.insertDepartment(
      trx,
      organisationId,
      { parentId: null, slug: 'accueil', name: 'Accueil', email: 'accueil@banc.example', phone: '+33100000000', address: '1 place du Banc', openingHours: DEFAULT_OPENING_HOURS, isReception: true },
      nowIso,
    );
    const procedureId = await procedureRepository.insert(
      trx,
      {
        organisationId,
        slug: 'relance',
        title: 'Demande à relancer',
        category: 'Banc',
        description: 'Démarche du banc d’essai des minuteries.',
        form: { version: 1, pages: [{ id: 'p', title: 'Demande', fields: [{ type: 'text', name: 'objet', label: 'Objet' }] }] },
        departmentId,
        target: { value: 10, unit: 'business_days' },
        silence: { regime: 'none', delay: null },
        retentionDays: 365,
        allowAnonymous: true,
        isOnline: true,
        isLocated: false,
      },
      nowIso,
    );
    const workflow = await workflowRepository.publish(trx, procedureId, WORKFLOW, 'banc', nowIso);
    return { organisationId, departmentId, procedureId, workflowId: workflow.id };
  });

  for (let done = 0; done < count; done += BATCH) {
    const size = Math.min(BATCH, count - done);
    await transaction(db, async (trx) => {
      const ids = await bulkCaseRepository.reserveIds(trx, db.dialect, 'cases', size);
      const rows: BulkCaseRow[] = ids.map((id, i) => ({
        id,
        organisation_id: organisationId,
        reference: `2026-${String(done + i + 1).padStart(6, '0')}`,
        tracking_code: `BANC-${String(done + i + 1).padStart(9, '0')}`,
        procedure_id: procedureId,
        citizen_id: null,
        channel: 'api',
        status: 'attente',
        department_id: departmentId,
        assigned_agent_id: null,
        priority: 'normal',
        subject: 'Demande à relancer',
        address: null,
        lat: null,
        lon: null,
        data: toJson({ objet: 'relance' }),
        contact_email: null,
        contact_phone: null,
        received_at: enteredAt,
        due_at: null,
        implicit_decision_at: null,
        closed_at: null,
        outcome: null,
        version: 1,
        created_at: enteredAt,
        updated_at: enteredAt,
        status_entered_at: enteredAt,
        workflow_id: workflowId,
      }));
      await bulkCaseRepository.insertCases(trx, db.dialect, rows);
      const jobs: NewJob[] = ids.map((caseId) => ({
        type: 'workflow.timer',
        payload: { caseId, status: 'attente', enteredAt, timer: 0 },
        runAt: nowIso,
        dedupeKey: `timer:${caseId}:attente:${enteredAt}:0`,
      }));
      await jobRepository.enqueueMany(trx, jobs, nowIso);
    });
  }
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
}

/** n: status changes journaled; d: cases that reached the timer's status. Both must equal the count. */
export async function timerEffects(db: Db): Promise<{ n: number; d: number }> {
  const changes = await sql<{ n: number }>`select count(*) as n from case_journal where type = 'status.changed'`.execute(db.kysely);
  const moved = await sql<{ n: number }>`select count(*) as n from cases where status = 'relance'`.execute(db.kysely);
  return { n: Number(changes.rows[0]?.n ?? 0), d: Number(moved.rows[0]?.n ?? 0) };
}

/** States of the timer jobs only (a worker also schedules its periodic deadline sweep). */
export async function timerJobCounts(db: Db): Promise<{ pending: number; running: number; done: number; dead: number }> {
  const { rows } = await sql<{ state: string; n: number }>`select state, count(*) as n from jobs where type = 'workflow.timer' group by state`.execute(db.kysely);
  const counts = { pending: 0, running: 0, done: 0, dead: 0 };
  for (const row of rows) counts[row.state as keyof typeof counts] = Number(row.n);
  return counts;
}
