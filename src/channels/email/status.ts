import type { ChannelStatusCheck } from '../status.js';

/** The email channel's configuration status for the health page (to be completed by the channel). */
export const emailStatus: ChannelStatusCheck = async () => [];
