/**
 * A local ProConnect look-alike for tests: a real `oidc-provider` on 127.0.0.1 over plain HTTP,
 * configured like ProConnect: authorization code flow with **PKCE required**, client
 * authentication `client_secret_post`, RS256-signed ID tokens and signed userinfo
 * (`application/jwt`), ProConnect's agent claims (email, given_name, usual_name, uid) and
 * RP-initiated logout. Modelled on test/oidc-provider.ts (FranceConnect).
 *
 * There is no login form: the interaction signs in the current test agent (TEST_AGENT unless
 * `signInAs` chose another) and grants every requested scope, so a test drives the whole flow
 * with plain HTTP requests. `refuseNextSignIn()` makes the next interaction answer `access_denied`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An agent as ProConnect identifies them. */
export interface ProConnectTestAgent {
  sub: string;
  email: string;
  given_name: string;
  usual_name: string;
  uid: string;
}

export const TEST_AGENT: ProConnectTestAgent = {
  sub: 'pc-5f1e2d3c4b5a69788796a5b4c3d2e1f0',
  email: 'sophie.bernard@ville-de-demo.fr',
  given_name: 'Sophie',
  usual_name: 'Bernard',
  uid: 'sbernard',
};

export interface ProConnectProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Environment for `testApp(db, env)`: PROCONNECT_ISSUER, _CLIENT_ID, _CLIENT_SECRET, and OUTBOUND_ALLOWED_CIDRS for 127.0.0.1. */
  env: Record<string, string>;
  signInAs(agent: ProConnectTestAgent): void;
  refuseNextSignIn(): void;
  /** The authorization requests received, to check PKCE parameters. */
  authorizationRequests: URL[];
  close(): Promise<void>;
}

interface OidcInteraction {
  prompt: { name: string };
  params: Record<string, unknown>;
  session?: { accountId?: string };
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
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

const CLAIMS = ['email', 'given_name', 'usual_name', 'uid'] as const;

/** Starts the provider for an app at `publicUrl`. Close it in `afterAll`. */
export async function startProConnectProvider(options: { publicUrl: string }): Promise<ProConnectProvider> {
  // A computed specifier: the package has no declarations for TypeScript to resolve.
  const moduleName = 'oidc-provider';
  const { default: Provider } = (await import(moduleName)) as { default: OidcProviderClass };
  const clientId = `guichet-agents-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { ...privateKey.export({ format: 'jwk' }), kid: `pc-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
  let agent = TEST_AGENT;
  let refuseNext = false;
  const authorizationRequests: URL[] = [];

  const holder: { provider?: OidcProvider } = {};
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/auth')) authorizationRequests.push(new URL(req.url, 'http://provider.invalid'));
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    (holder.provider as OidcProvider).callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${options.publicUrl}/backoffice/proconnect/retour`],
        post_logout_redirect_uris: [`${options.publicUrl}/backoffice/proconnect/deconnecte`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
        userinfo_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [key] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    acrValues: ['eidas1'],
    claims: { openid: ['sub'], ...Object.fromEntries(CLAIMS.map((claim) => [claim, [claim]])) },
    scopes: ['openid', ...CLAIMS],
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: { body: string }, form: string) => {
          ctx.body = `<!DOCTYPE html><html lang="fr"><head><title>Déconnexion</title></head><body>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button></body></html>`;
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => (sub === agent.sub ? { ...agent } : { sub }),
    }),
    pkce: { required: () => true },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  provider.on('server_error', () => undefined);
  holder.provider = provider;

  async function interact(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (refuseNext) {
      refuseNext = false;
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'L’agent a annulé sa connexion.' }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: agent.sub, acr: 'eidas1', amr: ['pwd'] } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session?.accountId ?? agent.sub, clientId });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return {
    issuer,
    clientId,
    clientSecret,
    // The provider listens on 127.0.0.1, which the outbound guard refuses unless allowlisted.
    env: { PROCONNECT_ISSUER: issuer, PROCONNECT_CLIENT_ID: clientId, PROCONNECT_CLIENT_SECRET: clientSecret, OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' },
    signInAs(next) {
      agent = next;
    },
    refuseNextSignIn() {
      refuseNext = true;
    },
    authorizationRequests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
