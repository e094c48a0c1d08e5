/**
 * Sender authenticity: SPF, DKIM and DMARC checked with mailauth and kept with the message. The
 * From header is trivially forged: only a DMARC pass, or a DKIM signature that passes for the From
 * domain itself, vouches for it (ADR 0002). « none », neutral, softfail or an SPF pass for some
 * other domain prove nothing: such a mail is still taken, as unverified input.
 */
import { authenticate, type DnsResolver } from 'mailauth';
import type { EmailSource } from './receive.js';

export interface Authenticity {
  spf: string;
  dkim: string;
  dmarc: string;
  /** The DKIM domains whose signature checked. */
  dkimDomains: string[];
  /** True when the From address is vouched for: DMARC passes, or a DKIM signature aligned with the From domain passes. */
  authentic: boolean;
  /** The opposite of `authentic`: the From address cannot be trusted (kept for the stored payloads' readers). */
  failing: boolean;
  /** Why the check itself failed (DNS unreachable…): the sender is then treated as failing. */
  error?: string;
}

/** Checks the message; DNS goes through `resolver` when given (tests answer from their own data). */
export async function checkAuthenticity(raw: Buffer, source: EmailSource, mta: string, resolver?: DnsResolver): Promise<Authenticity> {
  const sender = source.envelopeFrom?.replace(/[<>\s]/g, '') || undefined;
  const result = await authenticate(raw, {
    ...(source.remoteAddress ? { ip: source.remoteAddress.replace(/^::ffff:/, '') } : {}),
    ...(source.helo ? { helo: source.helo } : {}),
    ...(sender ? { sender } : {}),
    // A mailbox read over IMAP: the client address is in the mailbox server's Received header.
    trustReceived: source.kind === 'imap',
    mta,
    disableArc: true,
    disableBimi: true,
    ...(resolver ? { resolver } : {}),
  });
  const dkimPassed = (result.dkim?.results ?? []).filter((r) => r.status.result === 'pass');
  // mailauth sets `aligned` to the organisational domain a signature shares with From, or false.
  const dkimAligned = dkimPassed.some((r) => Boolean((r.status as { aligned?: string | false }).aligned));
  const spf = result.spf ? result.spf.status.result : 'none';
  const dmarc = result.dmarc ? result.dmarc.status.result : 'none';
  const dkim = dkimPassed.length > 0 ? 'pass' : (result.dkim?.results?.[0]?.status.result ?? 'none');
  return {
    spf,
    dkim,
    dmarc,
    dkimDomains: dkimPassed.map((r) => r.signingDomain ?? '').filter(Boolean),
    authentic: dmarc === 'pass' || dkimAligned,
    failing: !(dmarc === 'pass' || dkimAligned),
  };
}
