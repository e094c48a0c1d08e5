/**
 * Row types of the e-mail channel's own tables: none. Receipts live in channel_inbound (migration
 * 013), raw messages in DATA_DIR/inbound-mail; migration 014 only indexes messages.message_id.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EmailTables {}
