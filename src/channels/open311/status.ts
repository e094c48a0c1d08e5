import type { ChannelStatusCheck } from '../status.js';

/** The open311 channel's configuration status for the health page (to be completed by the channel). */
export const open311Status: ChannelStatusCheck = async () => [];
