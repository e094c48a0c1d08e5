import type { Executor } from '../../db/transaction.js';

/** The case an SMS from a number answers. */
export interface ReplyTarget {
  caseId: number;
  citizenId: number;
}

/** Every query of the SMS channel. */
export const smsRepository = {
  /** Records (or renews) a number's opt-out. */
  async optOut(db: Executor, o: { phone: string; organisationId: number; inboundId: number; keyword: string }, now: string): Promise<void> {
    await db
      .insertInto('sms_opt_outs')
      .values({ phone: o.phone, organisation_id: o.organisationId, inbound_id: o.inboundId, keyword: o.keyword, opted_out_at: now })
      .onConflict((oc) => oc.column('phone').doUpdateSet({ organisation_id: o.organisationId, inbound_id: o.inboundId, keyword: o.keyword, opted_out_at: now }))
      .execute();
  },

  /** Lifts a number's opt-out; true when there was one. */
  async optIn(db: Executor, phone: string): Promise<boolean> {
    const result = await db.deleteFrom('sms_opt_outs').where('phone', '=', phone).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },

  async findOptOut(db: Executor, phone: string): Promise<{ keyword: string; optedOutAt: string } | undefined> {
    const row = await db.selectFrom('sms_opt_outs').select(['keyword', 'opted_out_at']).where('phone', '=', phone).executeTakeFirst();
    return row && { keyword: row.keyword, optedOutAt: row.opted_out_at };
  },

  async countOptOuts(db: Executor): Promise<number> {
    const row = await db.selectFrom('sms_opt_outs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /**
   * The open case (not closed) of a citizen with this phone number that an SMS from it answers:
   * one waiting for the citizen first (an open pause: the agent asked them something), else the
   * most recently received. Reads the cases' and citizens' tables: the reply is matched by the
   * number the intake stored, in E.164.
   */
  async replyTarget(db: Executor, organisationId: number, phone: string): Promise<ReplyTarget | undefined> {
    const row = await db
      .selectFrom('cases as c')
      .innerJoin('citizen_phones as p', 'p.citizen_id', 'c.citizen_id')
      .select(['c.id', 'c.citizen_id'])
      .where('c.organisation_id', '=', organisationId)
      .where('p.phone', '=', phone)
      .where('c.closed_at', 'is', null)
      .orderBy(
        (eb) =>
          eb
            .case()
            .when(eb.exists(eb.selectFrom('case_pauses as w').select('w.id').whereRef('w.case_id', '=', 'c.id').where('w.ended_at', 'is', null)))
            .then(0)
            .else(1)
            .end(),
      )
      .orderBy('c.received_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { caseId: row.id, citizenId: row.citizen_id! };
  },
};
