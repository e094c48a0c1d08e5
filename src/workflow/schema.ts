import { Type } from 'typebox';
import { JsonObject } from '../http/schemas.js';

export const TransitionParams = Type.Object({
  reference: Type.String({ pattern: '^[0-9]{4}-[0-9]{6,}$' }),
  name: Type.String({ maxLength: 100 }),
});

export const TransitionBody = Type.Object(
  {
    inputs: Type.Optional(JsonObject),
    expectedVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'Version du dossier lue par l’appelant ; refus 409 si elle a changé.' })),
  },
  { additionalProperties: false },
);

const InputSchema = Type.Object({
  name: Type.String(),
  label: Type.String(),
  type: Type.String(),
  required: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Type.String() }))),
});

export const AvailableTransitionsSchema = Type.Object({
  status: Type.Object({ id: Type.String(), label: Type.String(), citizenLabel: Type.String(), category: Type.String() }),
  version: Type.Integer(),
  transitions: Type.Array(Type.Object({ name: Type.String(), label: Type.String(), to: Type.String(), inputs: Type.Array(InputSchema) })),
});

export const WorkflowVersionSchema = Type.Object({
  procedure: Type.String(),
  version: Type.Integer(),
  publishedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  definition: JsonObject,
});
