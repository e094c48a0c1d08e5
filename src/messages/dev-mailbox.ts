import net from 'node:net';
import type { Config } from '../config.js';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** True when a listener bound to `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === 'localhost.') return true;
  const family = net.isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

export interface DevMailboxDecision {
  served: boolean;
  /** Why it is off although DEV_MAILBOX=true asked for it (printed by `guichet start`); null when nothing to say. */
  refusal: string | null;
}

/**
 * The development mailbox shows every recorded message, sign-up and password-reset links
 * included, to whoever asks, without signing in: it is served only to this machine. A listener on
 * 0.0.0.0 or a public address, or one behind a reverse proxy (TRUST_PROXY), would hand those links
 * to anyone; with SMTP_URL, mail really leaves and there is nothing to show.
 */
export function devMailboxDecision(config: Pick<Config, 'DEV_MAILBOX' | 'SMTP_URL' | 'HOST' | 'TRUST_PROXY'>): DevMailboxDecision {
  if (config.DEV_MAILBOX !== 'true' || config.SMTP_URL) return { served: false, refusal: null };
  const why = 'elle montrerait à n’importe qui les liens d’inscription et de réinitialisation de mot de passe';
  if (!isLoopbackHost(config.HOST)) {
    return { served: false, refusal: `Boîte de développement /dev/boite-mail désactivée : Guichet écoute sur ${config.HOST}, une adresse joignable depuis le réseau, et ${why}. Elle n’est servie que sur 127.0.0.1, ::1 ou localhost.` };
  }
  if (config.TRUST_PROXY.length > 0) {
    return { served: false, refusal: `Boîte de développement /dev/boite-mail désactivée : Guichet est derrière un proxy inverse (TRUST_PROXY), donc joignable depuis le réseau, et ${why}.` };
  }
  return { served: true, refusal: null };
}
