/**
 * Reply tokens: every e-mail we send carries `Reply-To: mairie+r-<message id>-<signature>@…`. The
 * signature (HMAC-SHA256 under a key derived from the session secret, truncated to 80 bits, in
 * lower-case hex because some servers lower-case local parts) makes the token unforgeable: a reply
 * that carries one belongs to that message's case, whoever forwarded it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';
import { sessionSecret } from '../../http/secret.js';

const SIGNATURE_HEX = 20;

function tokenKey(config: Pick<Config, 'SESSION_SECRET' | 'DATA_DIR'>): Buffer {
  // A key of its own: a token never doubles as a session signature, nor the reverse.
  return createHmac('sha256', sessionSecret(config)).update('guichet:email-reply-token:v1').digest();
}

function signature(config: Pick<Config, 'SESSION_SECRET' | 'DATA_DIR'>, messageId: number): string {
  return createHmac('sha256', tokenKey(config)).update(`reply:${messageId}`).digest('hex').slice(0, SIGNATURE_HEX);
}

/** The Reply-To address of outgoing message `messageId`, or null when REPLY_ADDRESS is not set. */
export function replyAddress(config: Pick<Config, 'SESSION_SECRET' | 'DATA_DIR' | 'REPLY_ADDRESS'>, messageId: number): string | null {
  if (!config.REPLY_ADDRESS) return null;
  const at = config.REPLY_ADDRESS.lastIndexOf('@');
  return `${config.REPLY_ADDRESS.slice(0, at)}+r-${messageId}-${signature(config, messageId)}${config.REPLY_ADDRESS.slice(at)}`;
}

/** The outgoing message id a recipient address's token names, when its signature checks; else null. */
export function messageIdOfReplyAddress(config: Pick<Config, 'SESSION_SECRET' | 'DATA_DIR'>, address: string): number | null {
  const match = /\+r-(\d{1,15})-([0-9a-f]+)@/i.exec(address);
  if (!match) return null;
  const messageId = Number(match[1]);
  const given = Buffer.from(match[2]!.toLowerCase());
  const expected = Buffer.from(signature(config, messageId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? messageId : null;
}
