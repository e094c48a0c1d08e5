import { sql } from 'kysely';
import type { Executor } from '../db/transaction.js';

/** One letter written in the register, with the case it became. */
export interface MailRegisterEntry {
  id: number;
  registerNumber: string;
  receivedOn: string;
  sender: string;
  subject: string;
  createdAt: string;
  case: {
    id: number;
    reference: string;
    status: string;
    workflowId: number | null;
    closedAt: string | null;
    department: { id: number; name: string };
    assignedAgentId: number | null;
  };
}

export interface NewMailRegisterEntry {
  organisationId: number;
  registerNumber: string;
  caseId: number;
  receivedOn: string;
  sender: string;
  subject: string;
  agentId: number;
}

export interface MailRegisterFilter {
  organisationId: number;
  /** Inclusive bounds on the receipt date, `YYYY-MM-DD`. */
  from: string;
  to: string;
  /** Only letters whose case sits in these departments or is assigned to this agent (the access rules' set). */
  visible: { departmentIds: readonly number[]; agentId: number };
  limit: number;
}

/** Every query on the postal mail register and its yearly counters. */
export const mailRegisterRepository = {
  /**
   * Next number of the organisation's yearly register sequence. Taken inside the intake's
   * transaction: the row lock serialises concurrent registrations, and a failed one rolls its
   * number back, so the register has no gaps (a paper register's expectation).
   */
  async nextNumber(db: Executor, organisationId: number, year: number): Promise<number> {
    const row = await db
      .insertInto('mail_register_counters')
      .values({ organisation_id: organisationId, year, value: 1 })
      .onConflict((oc) => oc.columns(['organisation_id', 'year']).doUpdateSet({ value: sql`mail_register_counters.value + 1` }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return row.value;
  },

  async insert(db: Executor, e: NewMailRegisterEntry, now: string): Promise<void> {
    await db
      .insertInto('mail_register')
      .values({
        organisation_id: e.organisationId,
        register_number: e.registerNumber,
        case_id: e.caseId,
        received_on: e.receivedOn,
        sender: e.sender,
        subject: e.subject,
        agent_id: e.agentId,
        created_at: now,
      })
      .execute();
  },

  /** The register number given to a case's letter, if it came by post. */
  async numberOfCase(db: Executor, caseId: number): Promise<string | undefined> {
    const row = await db.selectFrom('mail_register').select('register_number').where('case_id', '=', caseId).executeTakeFirst();
    return row?.register_number;
  },

  /** The letters received between two dates that the agent may see, in register order. */
  async list(db: Executor, f: MailRegisterFilter): Promise<MailRegisterEntry[]> {
    const rows = await db
      .selectFrom('mail_register as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .innerJoin('departments as d', 'd.id', 'c.department_id')
      .select([
        'm.id', 'm.register_number', 'm.received_on', 'm.sender', 'm.subject', 'm.created_at',
        'c.id as case_id', 'c.reference', 'c.status', 'c.workflow_id', 'c.closed_at', 'c.department_id', 'c.assigned_agent_id', 'd.name as department_name',
      ])
      .where('m.organisation_id', '=', f.organisationId)
      .where('m.received_on', '>=', f.from)
      .where('m.received_on', '<=', f.to)
      .where((eb) =>
        eb.or([
          ...(f.visible.departmentIds.length > 0 ? [eb('c.department_id', 'in', [...f.visible.departmentIds])] : []),
          eb('c.assigned_agent_id', '=', f.visible.agentId),
        ]),
      )
      .orderBy('m.received_on')
      .orderBy('m.register_number')
      .limit(f.limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      registerNumber: r.register_number,
      receivedOn: r.received_on,
      sender: r.sender,
      subject: r.subject,
      createdAt: r.created_at,
      case: {
        id: r.case_id,
        reference: r.reference,
        status: r.status,
        workflowId: r.workflow_id,
        closedAt: r.closed_at,
        department: { id: r.department_id, name: r.department_name },
        assignedAgentId: r.assigned_agent_id,
      },
    }));
  },
};
