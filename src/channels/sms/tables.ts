/**
 * A phone number that answered STOP: no notification SMS goes to it until it answers START. The
 * sending gateway and its sender name are installation-wide, so the opt-out is too (keyed by the
 * number alone); the organisation and the receipt say where the request came from.
 */
export interface SmsOptOutTable {
  /** E.164 (+33612345678). */
  phone: string;
  organisation_id: number;
  /** The channel_inbound receipt of the STOP message. */
  inbound_id: number | null;
  /** The words received (« STOP », « Arrêt »…), kept as proof of the request. */
  keyword: string;
  opted_out_at: string;
}

/** Row types of the sms channel's own tables, merged into the database's schema. */
export interface SmsTables {
  sms_opt_outs: SmsOptOutTable;
}
