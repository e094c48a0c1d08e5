/**
 * The open311 channel owns no table: it adds one column to `procedures` (migration 017), declared
 * here by augmenting the procedures' row type so that only this channel's files mention it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Open311Tables {}

declare module '../../db/schema.js' {
  interface ProcedureTable {
    /** The GeoReport v2 service code under which the procedure is offered; null: not exposed. */
    open311_service_code: string | null;
  }
}
