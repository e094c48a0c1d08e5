/** The part of mailauth 4 (no published types) that the e-mail channel uses. */
declare module 'mailauth' {
  export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;
  export interface AuthStatus {
    result: string;
    comment?: string;
  }
  export interface AuthResult {
    dkim?: { headerFrom?: string[]; results?: { signingDomain?: string; status: AuthStatus & { aligned?: string | false } }[] };
    spf?: { domain?: string; status: AuthStatus } | false;
    dmarc?: { domain?: string; policy?: string; status: AuthStatus } | false;
    headers?: string;
  }
  export function authenticate(
    input: Buffer | string,
    options: {
      ip?: string;
      helo?: string;
      sender?: string;
      mta?: string;
      resolver?: DnsResolver;
      trustReceived?: boolean;
      disableArc?: boolean;
      disableBimi?: boolean;
    },
  ): Promise<AuthResult>;
}
