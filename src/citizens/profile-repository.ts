import type { Executor } from '../db/transaction.js';
import type { AddressValue } from '../procedures/form/definition.js';
import { citizenSearchRepository } from './search-repository.js';

/** Identity attributes a citizen may declare themselves (when no certified identity locks them). */
export interface DeclaredIdentity {
  civility: 'M' | 'Mme' | null;
  firstNames: string | null;
  birthName: string | null;
  usageName: string | null;
  birthDate: string | null;
}

/** A household member as the citizen types it. */
export interface MemberInput {
  role: 'adult' | 'child';
  relationship: string;
  firstNames: string;
  lastName: string;
  birthDate: string | null;
}

/** How a citizen with an account wants to hear about their cases. */
export interface NotificationPreferences {
  notifyEmail: boolean;
  notifySms: boolean;
}

/**
 * The writes of « Mon espace » on the citizen's own record: identity, primary contacts,
 * household and notification preferences. Reads for forms stay in profile.ts.
 */
export const profileRepository = {
  /** Replaces the declared identity; the caller has checked the identity is not certified. */
  async updateIdentity(db: Executor, citizenId: number, identity: DeclaredIdentity, now: string): Promise<void> {
    await db
      .updateTable('citizens')
      .set({
        civility: identity.civility,
        first_names: identity.firstNames,
        birth_name: identity.birthName,
        usage_name: identity.usageName,
        birth_date: identity.birthDate,
        updated_at: now,
      })
      .where('id', '=', citizenId)
      .execute();
  await citizenSearchRepository.refreshSearchName(db, citizenId);
  },

  /**
   * Sets the primary phone and postal address: the primary row is updated (or created), older
   * secondary contacts stay as the town recorded them. A blank value removes the primary one.
   */
  async updateContacts(db: Executor, citizenId: number, contacts: { phone: string | null; address: AddressValue | null }, now: string): Promise<void> {
    const phone = await db.selectFrom('citizen_phones').select('id').where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').limit(1).executeTakeFirst();
    if (contacts.phone === null) {
      if (phone) await db.deleteFrom('citizen_phones').where('id', '=', phone.id).execute();
    } else if (phone) {
      await db.updateTable('citizen_phones').set({ phone: contacts.phone, is_primary: 1 }).where('id', '=', phone.id).execute();
    } else {
      await db.insertInto('citizen_phones').values({ citizen_id: citizenId, phone: contacts.phone, is_primary: 1 }).execute();
    }
    const address = await db.selectFrom('citizen_addresses').select('id').where('citizen_id', '=', citizenId).orderBy('is_primary', 'desc').orderBy('id').limit(1).executeTakeFirst();
    const a = contacts.address;
    if (a === null) {
      if (address) await db.deleteFrom('citizen_addresses').where('id', '=', address.id).execute();
    } else {
      const values = { line1: a.line1, line2: a.line2 ?? null, postcode: a.postcode, city: a.city, country: a.country, ban_id: a.banId ?? null, is_primary: 1 };
      if (address) await db.updateTable('citizen_addresses').set(values).where('id', '=', address.id).execute();
      else await db.insertInto('citizen_addresses').values({ citizen_id: citizenId, ...values }).execute();
    }
    await db.updateTable('citizens').set({ updated_at: now }).where('id', '=', citizenId).execute();
  },

  /** The citizen's household, created (and linked to them) when they have none yet. */
  async ensureHousehold(db: Executor, citizenId: number, name: string, now: string): Promise<number> {
    const citizen = await db.selectFrom('citizens').select(['organisation_id', 'household_id']).where('id', '=', citizenId).executeTakeFirstOrThrow();
    if (citizen.household_id !== null) return citizen.household_id;
    const household = await db.insertInto('households').values({ organisation_id: citizen.organisation_id, name, created_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.updateTable('citizens').set({ household_id: household.id, updated_at: now }).where('id', '=', citizenId).execute();
    return household.id;
  },

  async addMember(db: Executor, householdId: number, member: MemberInput, now: string): Promise<number> {
    const row = await db
      .insertInto('household_members')
      .values({
        household_id: householdId,
        citizen_id: null,
        role: member.role,
        relationship: member.relationship,
        first_names: member.firstNames,
        last_name: member.lastName,
        birth_date: member.birthDate,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  /**
   * Updates a member of this household that the citizen may edit (one without a record of their
   * own); false when there is no such member, so another household's member is "not found".
   */
  async updateMember(db: Executor, householdId: number, memberId: number, member: MemberInput): Promise<boolean> {
    const result = await db
      .updateTable('household_members')
      .set({ role: member.role, relationship: member.relationship, first_names: member.firstNames, last_name: member.lastName, birth_date: member.birthDate })
      .where('id', '=', memberId)
      .where('household_id', '=', householdId)
      .where('citizen_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  /** Removes an editable member of this household; false when there is none. */
  async removeMember(db: Executor, householdId: number, memberId: number): Promise<boolean> {
    const result = await db
      .deleteFrom('household_members')
      .where('id', '=', memberId)
      .where('household_id', '=', householdId)
      .where('citizen_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },

  /** The preferences of a citizen's portal account, or undefined for a citizen without one. */
  async notificationPreferences(db: Executor, citizenId: number): Promise<NotificationPreferences | undefined> {
    const row = await db.selectFrom('citizen_accounts').select(['notify_email', 'notify_sms']).where('citizen_id', '=', citizenId).executeTakeFirst();
    return row ? { notifyEmail: row.notify_email === 1, notifySms: row.notify_sms === 1 } : undefined;
  },

  async setNotificationPreferences(db: Executor, citizenId: number, preferences: NotificationPreferences, now: string): Promise<void> {
    await db
      .updateTable('citizen_accounts')
      .set({ notify_email: preferences.notifyEmail ? 1 : 0, notify_sms: preferences.notifySms ? 1 : 0, updated_at: now })
      .where('citizen_id', '=', citizenId)
      .execute();
  },
};
