import { Type } from 'typebox';
import { CaseSchema, ReferenceParams } from '../cases/schema.js';
import { apiScope, principalOf } from '../http/auth.js';
import type { App } from '../http/context.js';
import { problems } from '../http/schemas.js';
import { transferCase } from './service.js';
import { withDecisionDay } from '../cases/service.js';

const TransferBody = Type.Object(
  {
    department: Type.Optional(Type.Integer({ minimum: 1, description: 'Service choisi (transfert manuel). Absent : les règles d’orientation décident à nouveau.' })),
    reason: Type.String({ minLength: 3, maxLength: 1000, description: 'Motif du transfert, inscrit au journal.' }),
    expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

/** Transfer of a case to another department, by hand or by the routing rules. */
export async function routingRoutes(app: App): Promise<void> {
  app.post(
    '/api/v1/cases/:reference/transfer',
    {
      onRequest: apiScope('cases:write'),
      schema: {
        tags: ['Dossiers'],
        summary: 'Transférer un dossier à un autre service',
        description: 'Avec `department`, transfert manuel (journal : by = manual) ; sans, les règles d’orientation sont réévaluées (journal : la règle qui a décidé).',
        security: [{ bearer: [] }],
        params: ReferenceParams,
        body: TransferBody,
        response: { 200: CaseSchema, ...problems(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const moved = await transferCase(app.ctx.db, {
        organisationId: principal.organisationId,
        reference: request.params.reference,
        actor: { type: 'integration', id: `token:${principal.tokenId}` },
        reason: request.body.reason,
        ...(request.body.department !== undefined ? { departmentId: request.body.department } : {}),
        ...(request.body.expectedVersion !== undefined ? { expectedVersion: request.body.expectedVersion } : {}),
      });
      return withDecisionDay(moved, app.ctx.config.TIMEZONE);
    },
  );
}
