import type { ChannelStatusCheck } from '../status.js';

/** The sms channel's configuration status for the health page (to be completed by the channel). */
export const smsStatus: ChannelStatusCheck = async () => [];
