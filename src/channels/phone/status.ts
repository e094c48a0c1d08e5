import type { ChannelStatusCheck } from '../status.js';

/** The phone channel's configuration status for the health page (to be completed by the channel). */
export const phoneStatus: ChannelStatusCheck = async () => [];
