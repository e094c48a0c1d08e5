import { Type } from 'typebox';
import type { App } from './context.js';
import { catalogue, type ErrorCode } from './errors.js';

const Entry = Type.Object({ code: Type.String(), status: Type.Integer(), title: Type.String() });

/** The error catalogue, readable: each problem's `type` URI resolves here. */
export async function problemRoutes(app: App): Promise<void> {
  app.get('/api/problems', { schema: { tags: ['Erreurs'], summary: 'Catalogue des erreurs', security: [], response: { 200: Type.Object({ items: Type.Array(Entry) }) } } }, async () => ({
    items: Object.entries(catalogue).map(([code, e]) => ({ code, status: e.status, title: e.title })),
  }));
  app.get(
    '/api/problems/:code',
    { schema: { tags: ['Erreurs'], summary: 'Une erreur du catalogue', security: [], params: Type.Object({ code: Type.String({ maxLength: 64 }) }), response: { 200: Entry } } },
    async (request, reply) => {
      const code = request.params.code as ErrorCode;
      const entry = Object.hasOwn(catalogue, code) ? catalogue[code] : undefined;
      if (!entry) return reply.callNotFound();
      return { code, status: entry.status, title: entry.title };
    },
  );
}
