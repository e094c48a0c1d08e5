/** Row types of the open311 channel's own tables, merged into the database's schema. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Open311Tables {}
