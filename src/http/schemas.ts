import { Type } from 'typebox';

/** Schemas shared by every API module. */
export const FieldErrorSchema = Type.Object({
  field: Type.String({ description: 'Chemin du champ, par exemple « citizen.email » ou « data.enfants[0].prenom ».' }),
  code: Type.String({ description: 'Code stable, par exemple « required » ou « invalid_email ».' }),
  message: Type.String({ description: 'Message en français, prêt à afficher.' }),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Code stable de l’erreur (voir /api/problems).' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { description: 'Erreur au format RFC 9457 (application/problem+json).' },
);

/** The problem responses a route may give, for its OpenAPI description. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, { ...ProblemSchema, description: `Erreur ${s} (problem+json)` }]));
}

export const JsonObject = Type.Record(Type.String(), Type.Unknown());
