/**
 * A local FranceConnect v2 look-alike for tests: a real `oidc-provider` (v9) on 127.0.0.1, over
 * plain HTTP, configured like FranceConnect's partner platform: authorization code flow, client
 * authentication `client_secret_post`, ES256-signed ID tokens and **signed userinfo**
 * (`application/jwt`), FranceConnect's scopes as claims, `acr` eidas1, and RP-initiated logout.
 *
 * There is no login form: the interaction signs in the current test identity (TEST_IDENTITY
 * unless `signInAs` chose another) and grants every requested scope, so a test drives the whole
 * flow with plain HTTP requests. `refuseNextSignIn()` makes the next interaction answer
 * `access_denied`, as FranceConnect does when the citizen cancels.
 *
 * `rotateKeys()` replaces the signing key by a new one (new `kid`, the old key withdrawn from the
 * JWKS), to check that a relying party refetches the JWKS when it meets an unknown key.
 *
 * oidc-provider 9 declares Node 22 in its engines and prints a warning on Node 20; it runs.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An identity the provider certifies, with FranceConnect's claim names. */
export interface FranceConnectTestIdentity {
  sub: string;
  given_name: string;
  family_name: string;
  /** YYYY-MM-DD */
  birthdate: string;
  gender: 'male' | 'female';
  /** INSEE code of the birthplace (empty when born abroad). */
  birthplace: string;
  /** INSEE code of the birth country (99100 = France). */
  birthcountry: string;
  email: string;
}

/**
 * The identity signed in by default: FranceConnect's own demonstration identity (« Angela Claire
 * Louise DUBOIS »), born 24 August 1962 in Paris 7e (INSEE 75107), France (99100).
 */
export const TEST_IDENTITY: FranceConnectTestIdentity = {
  sub: 'b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1',
  given_name: 'Angela Claire Louise',
  family_name: 'DUBOIS',
  birthdate: '1962-08-24',
  gender: 'female',
  birthplace: '75107',
  birthcountry: '99100',
  email: 'wossewodda-3728@yopmail.com',
};

/** A second identity, born abroad (no birthplace), for tests that need two people. */
export const OTHER_TEST_IDENTITY: FranceConnectTestIdentity = {
  sub: '7a4f3c1e9d2b8a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1v1',
  given_name: 'Pierre',
  family_name: 'MERCIER',
  birthdate: '1990-03-15',
  gender: 'male',
  birthplace: '',
  birthcountry: '99134',
  email: 'pierre.mercier@exemple.fr',
};

export interface FranceConnectProviderOptions {
  /**
   * Guichet's PUBLIC_URL: allows `${publicUrl}/franceconnect/retour` and
   * `${publicUrl}/franceconnect/deconnecte` (or give the URIs below, or call `setPublicUrl` later).
   */
  publicUrl?: string;
  /** Where the relying party receives the authorization response. */
  redirectUris?: string[];
  /** Where the provider sends the browser back after logout. */
  postLogoutRedirectUris?: string[];
  /** false: the userinfo endpoint answers plain JSON (what a relying party must refuse). Default true. */
  signedUserinfo?: boolean;
  /** Signing algorithm of ID tokens and userinfo: ES256 (default) or RS256. */
  algorithm?: 'ES256' | 'RS256';
}

export interface FranceConnectProvider {
  /** The issuer, e.g. http://127.0.0.1:41234 (set FRANCECONNECT_ISSUER to it). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Environment for `testApp(db, env)`: FRANCECONNECT_ISSUER, _CLIENT_ID, _CLIENT_SECRET, and OUTBOUND_ALLOWED_CIDRS for 127.0.0.1. */
  env: Record<string, string>;
  /**
   * Allows the app at this PUBLIC_URL as the client's redirect URIs (for an app listening on a port
   * known only after the provider started).
   */
  setPublicUrl(publicUrl: string): void;
  /** Identity the following sign-ins certify (until changed again). */
  signInAs(identity: FranceConnectTestIdentity): void;
  /** Assurance level (`acr`) of the following sign-ins: eidas1 by default; `eidas0` to test a refusal. */
  useAcr(acr: 'eidas0' | 'eidas1' | 'eidas2' | 'eidas3'): void;
  /** The next sign-in is cancelled: the provider redirects back with `error=access_denied`. */
  refuseNextSignIn(): void;
  /** New signing key with a new `kid`; the previous one leaves the JWKS. Returns the new `kid`. */
  rotateKeys(): string;
  /** `kid` of the current signing key. */
  currentKid(): string;
  close(): Promise<void>;
}

// oidc-provider ships no type declarations: the little used here is typed by hand.
interface OidcInteraction {
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface OidcProvider {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<OidcInteraction>;
  interactionFinished(req: http.IncomingMessage, res: http.ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => OidcGrant;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type OidcProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

const SCOPE_CLAIMS = ['given_name', 'family_name', 'birthdate', 'birthplace', 'birthcountry', 'gender', 'email'] as const;

function signingKey(algorithm: 'ES256' | 'RS256') {
  const { privateKey } =
    algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `test-${randomBytes(6).toString('hex')}`, alg: algorithm, use: 'sig' };
}

/** Starts the provider on 127.0.0.1 (a free port). Close it in `afterAll`. */
export async function startFranceConnectProvider(options: FranceConnectProviderOptions): Promise<FranceConnectProvider> {
  // A computed specifier: the package has no declarations for TypeScript to resolve.
  const moduleName = 'oidc-provider';
  const { default: Provider } = (await import(moduleName)) as { default: OidcProviderClass };
  const algorithm = options.algorithm ?? 'ES256';
  const clientId = `guichet-test-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  let identity = TEST_IDENTITY;
  let refuseNext = false;
  let acr = 'eidas1';
  let key = signingKey(algorithm);
  let provider: OidcProvider;
  // Until told where the app is, a placeholder that nothing answers (a client needs one).
  const uris = (publicUrl = 'http://app.invalid') => ({
    redirect: [`${publicUrl}/franceconnect/retour`],
    postLogout: [`${publicUrl}/franceconnect/deconnecte`],
  });
  let redirectUris = options.redirectUris ?? uris(options.publicUrl).redirect;
  let postLogoutRedirectUris = options.postLogoutRedirectUris ?? uris(options.publicUrl).postLogout;

  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A new provider instance (oidc-provider's keys are fixed at construction); its memory store is shared. */
  const build = () => {
    const created = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: redirectUris,
          post_logout_redirect_uris: postLogoutRedirectUris,
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_post',
          id_token_signed_response_alg: algorithm,
          ...(options.signedUserinfo === false ? {} : { userinfo_signed_response_alg: algorithm }),
        },
      ],
      jwks: { keys: [key] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      // eidas0 is no FranceConnect level: it stands for « too low » in tests.
      acrValues: ['eidas0', 'eidas1', 'eidas2', 'eidas3'],
      claims: { openid: ['sub'], ...Object.fromEntries(SCOPE_CLAIMS.map((claim) => [claim, [claim]])) },
      scopes: ['openid', ...SCOPE_CLAIMS],
      features: {
        devInteractions: { enabled: false },
        jwtUserinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          // The confirmation form, bare: a test posts it with logout=yes.
          logoutSource: async (ctx: { body: string }, form: string) => {
            ctx.body = `<!DOCTYPE html><html lang="fr"><head><title>Déconnexion</title></head><body>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button></body></html>`;
          },
        },
      },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      findAccount: async (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: async () => (sub === identity.sub ? { ...identity } : { sub }),
      }),
      pkce: { required: () => false },
      ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
    });
    // Errors are the point of several tests: keep the output quiet.
    created.on('server_error', () => undefined);
    return created;
  };
  provider = build();

  /** Signs the current identity in, then grants what the client asked for; or refuses. */
  async function interact(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (refuseNext) {
      refuseNext = false;
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'L’usager a annulé sa connexion.' }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: identity.sub, acr, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session?.accountId ?? identity.sub, clientId });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    grant.addOIDCClaims(['acr', 'amr']);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    // The provider listens on 127.0.0.1, which the outbound guard refuses unless allowlisted.
    env: { FRANCECONNECT_ISSUER: issuer, FRANCECONNECT_CLIENT_ID: clientId, FRANCECONNECT_CLIENT_SECRET: clientSecret, OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' },
    setPublicUrl(publicUrl) {
      redirectUris = uris(publicUrl).redirect;
      postLogoutRedirectUris = uris(publicUrl).postLogout;
      provider = build();
    },
    signInAs(next) {
      identity = next;
    },
    useAcr(next) {
      acr = next;
    },
    refuseNextSignIn() {
      refuseNext = true;
    },
    rotateKeys() {
      key = signingKey(algorithm);
      provider = build();
      return key.kid;
    },
    currentKid: () => key.kid,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
