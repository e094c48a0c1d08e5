/**
 * `/api/v1/adresses?q=`: address suggestions for the portal's address fields, proxied from the
 * national address base (BAN, api-adresse.data.gouv.fr or a self-hosted addok) so the browser
 * never calls a third party. Not configured: 404. The BAN slow or failing: an empty list, and the
 * citizen types the address by hand.
 */
import { Type } from 'typebox';
import type { App } from '../../../http/context.js';
import { notFound } from '../../../http/errors.js';
import { OutboundRefused, outboundFor, type OutboundClient } from '../../../http/outbound.js';

const TIMEOUT_MS = 3000;
const LIMIT = 5;
/** Five GeoJSON features weigh a few kB; anything near this is not a BAN answer. */
const MAX_BYTES = 256 * 1024;

const Suggestion = Type.Object({
  label: Type.String({ description: 'Adresse complète, telle qu’affichée.' }),
  line1: Type.String({ description: 'Numéro et voie (ou lieu-dit).' }),
  postcode: Type.String(),
  city: Type.String(),
  banId: Type.String({ description: 'Identifiant de l’adresse dans la Base adresse nationale.' }),
});
export interface AddressSuggestion { label: string; line1: string; postcode: string; city: string; banId: string }

const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/** The suggestions of a BAN `/search/` answer (GeoJSON), keeping only complete, well-formed ones. */
export function suggestionsOf(payload: unknown): AddressSuggestion[] {
  const features = (payload as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) return [];
  return features.slice(0, LIMIT).flatMap((feature: unknown) => {
    const p = (feature as { properties?: Record<string, unknown> } | null)?.properties ?? {};
    const suggestion = {
      label: text(p['label'], 300),
      line1: text(p['name'], 200),
      postcode: text(p['postcode'], 10),
      city: text(p['city'], 100),
      banId: text(p['id'], 64),
    };
    return suggestion.label && suggestion.line1 && suggestion.postcode && suggestion.city ? [suggestion] : [];
  });
}

/**
 * Asks the BAN through the outbound guard; any failure (timeout, 5xx, bad JSON) gives no
 * suggestion rather than an error. A refused address (a self-hosted addok on the internal network
 * without OUTBOUND_ALLOWED_CIDRS) also gives none, and is reported to `onRefused` for the logs.
 */
export async function searchAddresses(outbound: OutboundClient, baseUrl: string, query: string, onRefused: (error: OutboundRefused) => void = () => {}): Promise<AddressSuggestion[]> {
  const url = new URL('search/', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('q', query);
  url.searchParams.set('limit', String(LIMIT));
  try {
    const response = await outbound.request(url, { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES, headers: { accept: 'application/json' } });
    if (!response.ok) return [];
    return suggestionsOf(JSON.parse(response.body.toString('utf8')));
  } catch (error) {
    if (error instanceof OutboundRefused) onRefused(error);
    return [];
  }
}

export async function addressRoutes(app: App): Promise<void> {
  const { config } = app.ctx;
  app.get(
    '/api/v1/adresses',
    {
      schema: {
        tags: ['Portail'],
        summary: 'Suggestions d’adresses (Base adresse nationale)',
        description: 'Complète une adresse saisie dans un formulaire du portail. 404 si l’API Adresse n’est pas configurée (ADDRESS_API_URL).',
        security: [],
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ items: Type.Array(Suggestion) }) },
      },
    },
    async (request, reply) => {
      if (config.ADDRESS_API_URL === '') throw notFound('La complétion d’adresse n’est pas configurée.');
      const query = text((request.query as { q?: unknown }).q, 200);
      // The BAN needs at least 3 characters to answer anything useful.
      const items = query.length < 3 ? [] : await searchAddresses(outboundFor(config), config.ADDRESS_API_URL, query, (error) => request.log.warn({ err: error }, 'address API refused by the outbound guard'));
      return reply.header('cache-control', 'public, max-age=300').send({ items });
    },
  );
}
