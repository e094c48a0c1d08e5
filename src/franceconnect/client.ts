import * as oidc from 'openid-client';
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config.js';
import { outboundFor, type OutboundClient } from '../http/outbound.js';

/**
 * The OpenID Connect side of FranceConnect v2: discovery (once per process), the authorization
 * request, the code exchange, the signed userinfo and the end-session request. No HTTP framework
 * and no database here: routes give it URLs and the state and nonce they kept, it gives back a
 * verified identity or throws.
 *
 * openid-client checks the authorization response (state), the token response and the ID token's
 * claims (issuer, audience, expiry, nonce). Signatures — of the ID token and of the userinfo, which
 * FranceConnect v2 signs — are checked here with jose against the provider's JWKS: its remote set
 * refetches the JWKS as soon as a token names an unknown key, whereas openid-client's own cache
 * would refuse every sign-in for up to a minute after FranceConnect rotates its keys.
 */

/** Scopes Guichet asks for: the identity attributes it certifies, and the e-mail. */
export const FRANCECONNECT_SCOPES = 'openid given_name family_name birthdate birthplace birthcountry gender email';
/** Assurance levels accepted, lowest first (FranceConnect v2 answers at least the level asked for). */
export const ACCEPTED_ACR = ['eidas1', 'eidas2', 'eidas3'] as const;
const SIGNING_ALGORITHMS = ['ES256', 'RS256'];

/** The identity FranceConnect certified, with its claim names. */
export interface FranceConnectIdentity {
  /** FranceConnect's pairwise subject for this service: stable across sign-ins. */
  sub: string;
  given_name: string;
  family_name: string;
  /** YYYY-MM-DD (FranceConnect may answer YYYY-MM-00 or YYYY-00-00 when the day or month is unknown). */
  birthdate: string;
  gender: string;
  /** INSEE code of the birthplace; empty for a birth abroad. */
  birthplace: string;
  /** INSEE code of the birth country (99100 for France). */
  birthcountry: string;
  email: string;
  acr: string;
}

/** What the sign-in produced: the identity, and the ID token kept for the end-session request. */
export interface FranceConnectSignIn {
  identity: FranceConnectIdentity;
  idToken: string;
}

/**
 * The sign-in cannot be trusted: state, nonce or signature wrong, userinfo unsigned, assurance
 * level too low, attributes missing. `reason` is for the logs, never for the citizen.
 */
export class FranceConnectRefusal extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`FranceConnect sign-in refused: ${reason}`, options);
    this.name = 'FranceConnectRefusal';
  }
}

export interface FranceConnectSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${publicUrl}/franceconnect/retour` */
  redirectUri: string;
  /** `${publicUrl}/franceconnect/deconnecte` */
  postLogoutRedirectUri: string;
  /**
   * Every request to the provider (discovery, token, userinfo, JWKS) goes through this guard: an
   * on-premises provider is reached only once its network is in OUTBOUND_ALLOWED_CIDRS.
   */
  outbound: OutboundClient;
}

interface Discovered {
  configuration: oidc.Configuration;
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

/** One relying party towards one FranceConnect issuer. */
export class FranceConnectClient {
  private discovered: Promise<Discovered> | undefined;

  constructor(readonly settings: FranceConnectSettings) {}

  /** The provider's metadata, fetched once; a failed discovery is retried on the next request. */
  private discover(): Promise<Discovered> {
    this.discovered ??= (async () => {
      const { issuer, clientId, clientSecret } = this.settings;
      // Plain HTTP is only ever configured for a local test provider; FranceConnect is HTTPS.
      const execute = issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [];
      const configuration = await oidc.discovery(new URL(issuer), clientId, { client_secret: clientSecret }, oidc.ClientSecretPost(clientSecret), {
        execute,
        timeout: 10,
        [oidc.customFetch]: this.settings.outbound.fetch,
      });
      const jwksUri = configuration.serverMetadata().jwks_uri;
      if (!jwksUri) throw new Error('FranceConnect metadata has no jwks_uri');
      // No cooldown between refetches: the only JWTs verified here come from the provider's own
      // token and userinfo endpoints, called by us, so nobody else can make us refetch at will.
      const jwks = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 0, cacheMaxAge: 10 * 60_000, timeoutDuration: 10_000, [customFetch]: this.settings.outbound.fetch });
      return { configuration, jwks };
    })();
    this.discovered.catch(() => {
      this.discovered = undefined;
    });
    return this.discovered;
  }

  /** The provider's authorization URL for this state and nonce. */
  async authorizationUrl(checks: { state: string; nonce: string }): Promise<URL> {
    const { configuration } = await this.discover();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri,
      scope: FRANCECONNECT_SCOPES,
      acr_values: 'eidas1',
      state: checks.state,
      nonce: checks.nonce,
    });
  }

  /**
   * Completes the sign-in from the URL the browser came back to: exchanges the code, checks the ID
   * token (claims by openid-client, signature and assurance level here), then fetches and verifies
   * the signed userinfo. Throws FranceConnectRefusal when anything does not check out.
   */
  async completeSignIn(callbackUrl: URL, checks: { state: string; nonce: string }): Promise<FranceConnectSignIn> {
    const { configuration, jwks } = await this.discover();
    const metadata = configuration.serverMetadata();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, { expectedState: checks.state, expectedNonce: checks.nonce });
    } catch (error) {
      throw refusalOrOutage(error, 'authorization code grant');
    }
    const idToken = tokens.id_token;
    if (!idToken) throw new FranceConnectRefusal('no ID token');
    const idClaims = await this.verifySignature(jwks, metadata.issuer, idToken, 'ID token');
    const acr = String(idClaims.acr ?? '');
    if (!(ACCEPTED_ACR as readonly string[]).includes(acr)) throw new FranceConnectRefusal(`assurance level ${JSON.stringify(acr)} below eidas1`);
    if (!metadata.userinfo_endpoint) throw new FranceConnectRefusal('no userinfo endpoint');

    let response: Response;
    try {
      response = await oidc.fetchProtectedResource(configuration, tokens.access_token, new URL(metadata.userinfo_endpoint), 'GET', undefined, new Headers({ accept: 'application/jwt' }));
    } catch (error) {
      throw refusalOrOutage(error, 'userinfo request');
    }
    if (response.status !== 200) throw new FranceConnectRefusal(`userinfo answered ${response.status}`);
    const type = response.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/jwt')) throw new FranceConnectRefusal(`userinfo is not a signed JWT (${type || 'no content type'})`);
    const userinfo = await this.verifySignature(jwks, null, (await response.text()).trim(), 'userinfo');
    // OpenID Connect says a signed userinfo SHOULD carry iss and aud: checked when present.
    if (userinfo.iss !== undefined && userinfo.iss !== metadata.issuer) throw new FranceConnectRefusal('userinfo issuer differs');
    const audience = userinfo.aud === undefined ? [this.settings.clientId] : [userinfo.aud].flat();
    if (!audience.includes(this.settings.clientId)) throw new FranceConnectRefusal('userinfo is for another client');
    if (userinfo.sub !== idClaims.sub) throw new FranceConnectRefusal('userinfo subject differs from the ID token');
    return { identity: identityOf(userinfo, acr), idToken };
  }

  /** The provider's end-session URL, which comes back to `/franceconnect/deconnecte?state=…`. */
  async endSessionUrl(idToken: string, state: string): Promise<URL> {
    const { configuration } = await this.discover();
    return oidc.buildEndSessionUrl(configuration, {
      id_token_hint: idToken,
      state,
      post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
    });
  }

  /** Checks a JWT's signature against the provider's keys, and its issuer and audience when `issuer` is given. */
  private async verifySignature(jwks: Discovered['jwks'], issuer: string | null, jwt: string, what: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(jwt, jwks, {
        algorithms: SIGNING_ALGORITHMS,
        ...(issuer === null ? {} : { issuer, audience: this.settings.clientId }),
      });
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
        throw new FranceConnectRefusal(`${what}: ${error.code}`, { cause: error });
      }
      throw error;
    }
  }
}

/** Protocol errors (bad state, nonce, token) refuse the sign-in; network failures stay outages. */
function refusalOrOutage(error: unknown, step: string): unknown {
  if (
    error instanceof oidc.ResponseBodyError ||
    error instanceof oidc.AuthorizationResponseError ||
    error instanceof oidc.WWWAuthenticateChallengeError ||
    (error instanceof oidc.ClientError && error.code !== 'OAUTH_TIMEOUT')
  ) {
    return new FranceConnectRefusal(`${step}: ${explain(error)}`, { cause: error });
  }
  return error;
}

/** The messages of an error's cause chain, with the claim or parameter it names: « … (nonce) ». */
function explain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const { message, claim, parameter } = current as { message?: unknown; claim?: unknown; parameter?: unknown };
    if (typeof message === 'string' && !parts.includes(message)) parts.push(message);
    if (typeof claim === 'string') parts.push(`(${claim})`);
    if (typeof parameter === 'string') parts.push(`(${parameter})`);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(' ');
}

function identityOf(claims: JWTPayload, acr: string): FranceConnectIdentity {
  const text = (name: string, required: boolean) => {
    const value = claims[name];
    if (value === undefined || value === null || value === '') {
      if (required) throw new FranceConnectRefusal(`userinfo lacks ${name}`);
      return '';
    }
    if (typeof value !== 'string' || value.length > 300) throw new FranceConnectRefusal(`userinfo ${name} is not a short string`);
    return value;
  };
  const birthdate = text('birthdate', true);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthdate)) throw new FranceConnectRefusal('userinfo birthdate is not YYYY-MM-DD');
  return {
    sub: text('sub', true),
    given_name: text('given_name', true),
    family_name: text('family_name', true),
    birthdate,
    gender: text('gender', false),
    birthplace: text('birthplace', false),
    birthcountry: text('birthcountry', false),
    email: text('email', true).toLowerCase(),
    acr,
  };
}

const clients = new Map<string, FranceConnectClient>();

/**
 * The FranceConnect client of this configuration, or null when FranceConnect is not configured.
 * One per issuer and client per process, so discovery and JWKS are cached across requests.
 */
export function franceConnectClient(config: Config): FranceConnectClient | null {
  const { FRANCECONNECT_ISSUER: issuer, FRANCECONNECT_CLIENT_ID: clientId, FRANCECONNECT_CLIENT_SECRET: clientSecret } = config;
  if (!issuer || !clientId || !clientSecret) return null;
  const key = JSON.stringify([issuer, clientId, clientSecret, config.publicUrl, config.OUTBOUND_ALLOWED_CIDRS]);
  let client = clients.get(key);
  if (!client) {
    client = new FranceConnectClient({
      issuer,
      clientId,
      clientSecret,
      redirectUri: `${config.publicUrl}/franceconnect/retour`,
      postLogoutRedirectUri: `${config.publicUrl}/franceconnect/deconnecte`,
      outbound: outboundFor(config),
    });
    clients.set(key, client);
  }
  return client;
}

/** True when the three FranceConnect variables are set: show the button only then (the routes exist only then). */
export function franceConnectConfigured(config: Config): boolean {
  return franceConnectClient(config) !== null;
}
