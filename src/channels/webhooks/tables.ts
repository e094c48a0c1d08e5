/** Row types of the webhooks channel's own tables, merged into the database's schema. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WebhooksTables {}
