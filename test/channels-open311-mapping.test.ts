/**
 * The Open311 mappings as pure functions: a form with every field type becomes attributes of the
 * right datatypes, posted attribute values go back into form data, validator paths back to the
 * names an application sent, and workflow statuses to mySociety's update statuses.
 */
import { describe, expect, it } from 'vitest';
import { attributePath, attributesToData, planForm } from '../src/channels/open311/attributes.js';
import { updateStatus } from '../src/channels/open311/status-mapping.js';
import type { FormDefinition } from '../src/procedures/form/definition.js';
import { validateSubmission } from '../src/procedures/form/validate.js';
import type { Status } from '../src/workflow/definition.js';

const form: FormDefinition = {
  version: 1,
  pages: [
    {
      id: 'p',
      title: 'Tout',
      fields: [
        { type: 'radio', name: 'gravite', label: 'Gravité', required: true, options: [{ value: 'faible', label: 'Faible' }, { value: 'forte', label: 'Forte' }] },
        { type: 'checkboxes', name: 'genes', label: 'Gênes', options: [{ value: 'pietons', label: 'Piétons' }, { value: 'velos', label: 'Vélos' }] },
        { type: 'number', name: 'nombre', label: 'Nombre de lampadaires', integer: true, min: 1, max: 50 },
        { type: 'date', name: 'depuis', label: 'Depuis le', max: 'today' },
        { type: 'text', name: 'repere', label: 'Repère', maxLength: 200, hint: 'Un commerce, un arrêt.' },
        { type: 'yesno', name: 'urgent', label: 'Urgent ?', visibleWhen: { field: 'gravite', op: 'in', value: ['forte'] } },
        { type: 'textarea', name: 'commentaire', label: 'Commentaire', minLength: 5 },
        { type: 'email', name: 'courriel', label: 'Courriel' },
        { type: 'file', name: 'photo', label: 'Photo' },
        { type: 'geolocation', name: 'lieu', label: 'Lieu', required: true },
        { type: 'group', name: 'temoins', label: 'Témoins', fields: [{ type: 'text', name: 'nom', label: 'Nom' }] },
      ],
    },
  ],
};

describe('planForm', () => {
  const plan = planForm(form);

  it('offers each field with a GeoReport datatype, in form order, and leaves out the others', () => {
    expect(plan.descriptionField).toBe('commentaire');
    expect(plan.locationField).toBe('lieu');
    expect(plan.attributes.map((a) => [a.code, a.datatype, a.required, a.order])).toEqual([
      ['gravite', 'singlevaluelist', true, 1],
      ['genes', 'multivaluelist', false, 2],
      ['nombre', 'number', false, 3],
      ['depuis', 'datetime', false, 4],
      ['repere', 'string', false, 5],
      ['urgent', 'singlevaluelist', false, 6],
    ]);
    expect(plan.attributes[2]!.datatype_description).toBe('Nombre entier. Entre 1 et 50.');
    expect(plan.attributes[4]!.description).toBe('Repère — Un commerce, un arrêt.');
    expect(plan.attributes[5]!.datatype_description).toBe('Demandé seulement si attribute[gravite] (« Gravité ») vaut « Forte » ; ignoré sinon.');
  });

  it('reads posted attributes into data the form validator accepts', () => {
    const { data, unknown } = attributesToData(plan, {
      api_key: 'x',
      'attribute[gravite]': 'forte',
      'attribute[genes][]': ['pietons', 'velos'],
      'attribute[nombre]': '3',
      'attribute[depuis]': '2026-01-05T08:00:00+01:00',
      'attribute[urgent]': 'false',
      'attribute[inconnu]': 'x',
    });
    expect(unknown).toEqual(['inconnu']);
    expect(data).toEqual({ gravite: 'forte', genes: ['pietons', 'velos'], nombre: '3', depuis: '2026-01-05', urgent: 'false' });
    const result = validateSubmission(form, { ...data, lieu: { lat: 47.1, lon: 0.5 } }, { hiddenFields: 'drop' });
    expect(result).toEqual({ ok: true, value: { gravite: 'forte', genes: ['pietons', 'velos'], nombre: 3, depuis: '2026-01-05', urgent: false, lieu: { lat: 47.1, lon: 0.5 } } });
  });

  it('names validator paths as the application sent them', () => {
    expect(attributePath(plan, 'data.nombre')).toBe('attribute[nombre]');
    expect(attributePath(plan, 'data.commentaire')).toBe('description');
    expect(attributePath(plan, 'data.lieu.lat')).toBe('lat/long');
    expect(attributePath(plan, 'data.lieu.address')).toBe('address_string');
    expect(attributePath(plan, 'citizen.firstNames')).toBe('first_name');
    expect(attributePath(plan, 'citizen.email')).toBe('email');
  });
});

describe('updateStatus', () => {
  const status = (id: string, category: Status['category']): Status => ({ id, label: id, citizenLabel: id, category });

  it('maps categories, with scheduled interventions and duplicates recognised by id', () => {
    expect(updateStatus(status('recu', 'new'), false)).toBe('OPEN');
    expect(updateStatus(status('qualifie', 'in_progress'), false)).toBe('IN_PROGRESS');
    expect(updateStatus(status('intervention_planifiee', 'in_progress'), false)).toBe('ACTION_SCHEDULED');
    expect(updateStatus(status('attente', 'waiting_citizen'), false)).toBe('INVESTIGATING');
    expect(updateStatus(status('chez_enedis', 'waiting_third_party'), false)).toBe('INVESTIGATING');
    expect(updateStatus(status('clos', 'closed_accepted'), true)).toBe('FIXED');
    expect(updateStatus(status('hors_competence', 'closed_refused'), true)).toBe('NOT_COUNCILS_RESPONSIBILITY');
    expect(updateStatus(status('doublon', 'closed_without_action'), true)).toBe('DUPLICATE');
    expect(updateStatus(status('sans_suite', 'closed_without_action'), true)).toBe('NO_FURTHER_ACTION');
    expect(updateStatus(undefined, false)).toBe('OPEN');
    expect(updateStatus(undefined, true)).toBe('CLOSED');
  });
});
