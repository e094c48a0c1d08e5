import type { Config } from '../config.js';
import type { Executor } from '../db/transaction.js';

/** One part of a channel's set-up as the health page shows it (« Réception SMTP : active sur le port 2525 »). */
export interface ChannelSetting {
  label: string;
  state: 'active' | 'off' | 'misconfigured';
  detail: string;
}

/** Reads a channel's configuration status, without side effects (no network call). */
export type ChannelStatusCheck = (ctx: { db: Executor; config: Config; organisationId: number }) => Promise<ChannelSetting[]>;
