import { Type, type Static } from 'typebox';
import { FormDefinitionSchema, type FormDefinition } from './form/definition.js';

export const ProcedureSummarySchema = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  category: Type.String(),
  description: Type.String(),
  allowAnonymous: Type.Boolean(),
  isLocated: Type.Boolean(),
  target: Type.Object({ value: Type.Integer(), unit: Type.Union([Type.Literal('business_days'), Type.Literal('business_hours'), Type.Literal('calendar_days')]) }),
  silence: Type.Object({
    regime: Type.Union([Type.Literal('none'), Type.Literal('accept'), Type.Literal('reject')], {
      description: 'none : pas de décision implicite ; accept : silence vaut accord ; reject : silence vaut rejet.',
    }),
    delay: Type.Union([Type.Object({ value: Type.Integer(), unit: Type.Union([Type.Literal('days'), Type.Literal('weeks'), Type.Literal('months')]) }), Type.Null()]),
  }),
});

export const ProcedureSchema = Type.Object({
  ...ProcedureSummarySchema.properties,
  department: Type.Object({ id: Type.Integer(), name: Type.String() }),
  form: Type.Unsafe<FormDefinition>(FormDefinitionSchema),
});

export const ProcedureListSchema = Type.Object({ items: Type.Array(ProcedureSummarySchema) });
export const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });
export type ProcedureSummary = Static<typeof ProcedureSummarySchema>;
