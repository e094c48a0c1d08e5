import * as oidc from 'openid-client';
import type { Config } from '../config.js';
import { outboundFor, type OutboundClient } from '../http/outbound.js';

/**
 * The OpenID Connect side of ProConnect, the State's sign-in for public agents: discovery (once
 * per process), the authorization request with PKCE, the code exchange, the userinfo and the
 * end-session request. No HTTP framework and no database here: routes keep the state, nonce and
 * code verifier and give them back; this gives a checked identity or throws.
 *
 * openid-client checks the authorization response (state), the PKCE exchange, the ID token's
 * claims (issuer, audience, expiry, nonce) and the userinfo's subject. Tokens and userinfo come
 * straight from the provider's endpoints over TLS, which OpenID Connect Core (3.1.3.7) accepts in
 * place of a signature check.
 */

/** Scopes Guichet asks for: who the agent is and their professional address. */
export const PROCONNECT_SCOPES = 'openid email given_name usual_name uid';

/** What ProConnect certified about the agent. */
export interface ProConnectIdentity {
  sub: string;
  email: string;
  /** False only when the provider says so (ProConnect's identity providers verify addresses). */
  emailVerified: boolean;
  givenName: string;
  usualName: string;
}

export interface ProConnectSignIn {
  identity: ProConnectIdentity;
  /** Kept in the agent's session for the end-session request. */
  idToken: string;
}

/** The sign-in cannot be trusted (state, nonce, PKCE, tokens). `reason` is for the logs only. */
export class ProConnectRefusal extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ProConnect sign-in refused: ${reason}`, options);
    this.name = 'ProConnectRefusal';
  }
}

export interface ProConnectSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${publicUrl}/backoffice/proconnect/retour` */
  redirectUri: string;
  /** `${publicUrl}/backoffice/proconnect/deconnecte` */
  postLogoutRedirectUri: string;
  /**
   * Every request to the provider (discovery, token, userinfo) goes through this guard: an
   * on-premises provider is reached only once its network is in OUTBOUND_ALLOWED_CIDRS.
   */
  outbound: OutboundClient;
}

/** What a round trip must find again when the browser comes back. */
export interface ProConnectChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** One relying party towards one ProConnect issuer. */
export class ProConnectClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(readonly settings: ProConnectSettings) {}

  /** The provider's metadata, fetched once; a failed discovery is retried on the next request. */
  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const { issuer, clientId, clientSecret } = this.settings;
      // Plain HTTP is only ever configured for a local test provider; ProConnect is HTTPS.
      const execute = issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [];
      return oidc.discovery(new URL(issuer), clientId, { client_secret: clientSecret }, oidc.ClientSecretPost(clientSecret), { execute, timeout: 10, [oidc.customFetch]: this.settings.outbound.fetch });
    })();
    this.configuration.catch(() => {
      this.configuration = undefined;
    });
    return this.configuration;
  }

  /** New random checks for one round trip (the verifier never leaves the server's cookie). */
  static newChecks(): ProConnectChecks {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  /** The provider's authorization URL for these checks. */
  async authorizationUrl(checks: ProConnectChecks): Promise<URL> {
    const configuration = await this.discover();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri,
      scope: PROCONNECT_SCOPES,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      // ProConnect asks relying parties to name the assurance they want; eidas1 is its base level.
      acr_values: 'eidas1',
    });
  }

  /** Completes the sign-in from the URL the browser came back to. Throws ProConnectRefusal. */
  async completeSignIn(callbackUrl: URL, checks: ProConnectChecks): Promise<ProConnectSignIn> {
    const configuration = await this.discover();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!tokens.id_token || !claims) throw new ProConnectRefusal('no ID token');
      const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      const email = typeof userinfo.email === 'string' ? userinfo.email.trim().toLowerCase() : '';
      return {
        identity: {
          sub: claims.sub,
          email: email.slice(0, 254),
          emailVerified: email !== '' && userinfo.email_verified !== false,
          givenName: typeof userinfo.given_name === 'string' ? userinfo.given_name.slice(0, 200) : '',
          usualName: typeof userinfo.usual_name === 'string' ? userinfo.usual_name.slice(0, 200) : '',
        },
        idToken: tokens.id_token,
      };
    } catch (error) {
      throw refusalOrOutage(error);
    }
  }

  /** The provider's end-session URL, which comes back to `/backoffice/proconnect/deconnecte?state=…`. */
  async endSessionUrl(idToken: string, state: string): Promise<URL> {
    const configuration = await this.discover();
    return oidc.buildEndSessionUrl(configuration, { id_token_hint: idToken, state, post_logout_redirect_uri: this.settings.postLogoutRedirectUri });
  }
}

/** Protocol errors refuse the sign-in; network failures stay outages (a 503 page). */
function refusalOrOutage(error: unknown): unknown {
  if (error instanceof ProConnectRefusal) return error;
  if (
    error instanceof oidc.ResponseBodyError ||
    error instanceof oidc.AuthorizationResponseError ||
    error instanceof oidc.WWWAuthenticateChallengeError ||
    (error instanceof oidc.ClientError && error.code !== 'OAUTH_TIMEOUT')
  ) {
    return new ProConnectRefusal(error.message, { cause: error });
  }
  return error;
}

const clients = new Map<string, ProConnectClient>();

/**
 * The ProConnect client of this configuration, or null when ProConnect is not configured. One per
 * issuer and client per process, so discovery is cached across requests.
 */
export function proConnectClient(config: Config): ProConnectClient | null {
  const { PROCONNECT_ISSUER: issuer, PROCONNECT_CLIENT_ID: clientId, PROCONNECT_CLIENT_SECRET: clientSecret } = config;
  if (!issuer || !clientId || !clientSecret) return null;
  const key = JSON.stringify([issuer, clientId, clientSecret, config.publicUrl, config.OUTBOUND_ALLOWED_CIDRS]);
  let client = clients.get(key);
  if (!client) {
    client = new ProConnectClient({
      issuer,
      clientId,
      clientSecret,
      redirectUri: `${config.publicUrl}/backoffice/proconnect/retour`,
      postLogoutRedirectUri: `${config.publicUrl}/backoffice/proconnect/deconnecte`,
      outbound: outboundFor(config),
    });
    clients.set(key, client);
  }
  return client;
}

/** True when the three PROCONNECT_* variables are set: the button is shown only then. */
export function proConnectConfigured(config: Config): boolean {
  return proConnectClient(config) !== null;
}
