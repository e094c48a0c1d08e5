import type { ColumnType, Generated } from 'kysely';

/** A call the telephony system reported (migration 016). */
export interface PhoneCallTable {
  id: Generated<number>;
  organisation_id: number;
  /** The PBX's own call id: the same for every event of the call. */
  call_id: string;
  direction: 'in' | 'out';
  /** The numbers as the PBX sent them. */
  from_number: string;
  to_number: string;
  /** The citizen side's number in E.164, when it is a valid number (matching, display). */
  caller_e164: string | null;
  state: 'ringing' | 'answered' | 'ended';
  /** The extension that rings (newCall) or answered (answer). */
  extension: string | null;
  agent_id: number | null;
  citizen_id: number | null;
  /** How many citizen records hold the number (more than one: the agent chooses). */
  citizen_matches: ColumnType<number, number | undefined, number>;
  /** Why it ended (normalClearing, busy, cancel, noAnswer…). */
  cause: string | null;
  /** The case registered from this call, if any. */
  case_id: ColumnType<number | null, number | null | undefined, number | null>;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  updated_at: string;
}

/** Row types of the phone channel's own tables, merged into the database's schema. */
export interface PhoneTables {
  phone_calls: PhoneCallTable;
}
