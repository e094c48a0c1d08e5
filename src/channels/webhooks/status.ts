import type { ChannelStatusCheck } from '../status.js';

/** The webhooks channel's configuration status for the health page (to be completed by the channel). */
export const webhooksStatus: ChannelStatusCheck = async () => [];
