import { describe, expect, it } from 'vitest';
import type { Field } from '../procedures/form/definition.js';
import { checkWorkflowDefinition } from './check-definition.js';
import type { WorkflowCheckContext, WorkflowDefinitionError } from './check-definition.js';
import type { Action, Status, Transition, WorkflowDefinition } from './definition.js';
import { birthCertificate, CONTEXT, copy, DEPARTMENTS } from './test-fixtures.js';

/** The definition of the fixture after `change`, so each test shows only what it breaks. */
function withChange(change: (def: WorkflowDefinition) => void): WorkflowDefinition {
  const def = copy(birthCertificate);
  change(def);
  return def;
}

function only(def: unknown, context: WorkflowCheckContext = CONTEXT): WorkflowDefinitionError {
  const errors = checkWorkflowDefinition(def, context);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

/** Expects exactly one error, at `path`, whose message contains every `culprits`. */
function expectOnly(def: unknown, path: string, ...culprits: string[]): string {
  const error = only(def);
  expect(error.path).toBe(path);
  for (const culprit of culprits) expect(error.message).toContain(culprit);
  return error.message;
}

const status = (id: string, category: Status['category'], extra: Partial<Status> = {}): Status => ({ id, label: id, citizenLabel: id, category, ...extra });
const transition = (name: string, from: string[], to: string, extra: Partial<Transition> = {}): Transition => ({ name, label: name, from, to, roles: ['agent'], ...extra });
const tiny = (): WorkflowDefinition => ({
  version: 1, initial: 'ouvert', statuses: [status('ouvert', 'new'), status('clos', 'closed_accepted')], transitions: [transition('clore', ['ouvert'], 'clos')],
});
const message = (subject: string, body: string): Action => ({ type: 'notify_citizen', message: { subject, body } });

describe('checkWorkflowDefinition — valid definitions', () => {
  it('accepts a realistic workflow', () => {
    expect(checkWorkflowDefinition(birthCertificate, CONTEXT)).toEqual([]);
  });

  it('accepts a minimal workflow without agents or form', () => {
    expect(checkWorkflowDefinition(tiny(), { departmentSlugs: [] })).toEqual([]);
  });

  it('accepts inputs of the transitions entering a status in its onEnter templates', () => {
    const def = withChange((d) => { d.statuses[4]!.onEnter = [message('Refus', 'Motif : {{ inputs.motif }} {{ inputs.precision }}')]; });
    expect(checkWorkflowDefinition(def, CONTEXT)).toEqual([]);
  });
});

describe('checkWorkflowDefinition — structure', () => {
  it('refuses what is not an object', () => {
    for (const def of [null, 42, 'circuit', [], undefined]) {
      expect(checkWorkflowDefinition(def, CONTEXT)).toEqual([{ path: '', message: 'La définition du circuit doit être un objet JSON.' }]);
    }
  });

  it('reports the version, missing and unknown top-level properties in French', () => {
    expect(checkWorkflowDefinition({ version: 2, initial: 'a', statuses: [status('a', 'closed_accepted')], extra: true }, CONTEXT)).toEqual([
      { path: 'transitions', message: 'La propriété « transitions » est obligatoire.' },
      { path: 'extra', message: 'Propriété inconnue « extra » : elle n’est pas prévue à cet endroit.' },
      { path: 'version', message: 'Doit valoir 1.' },
    ]);
  });

  it('reports an unknown category with the possible ones', () => {
    const def = tiny();
    (def.statuses[1] as unknown as Record<string, unknown>)['category'] = 'ferme';
    expectOnly(def, 'statuses[1].category', 'ferme', 'closed_accepted');
  });

  it('explains what a status id looks like', () => {
    const def = { ...tiny(), initial: 'Ouvert', statuses: [status('Ouvert', 'new'), status('clos', 'closed_accepted')], transitions: [transition('clore', ['Ouvert'], 'clos')] };
    expect(checkWorkflowDefinition(def, CONTEXT)).toEqual([
      { path: 'statuses[0].id', message: 'Identifiant de statut invalide « Ouvert » : il doit commencer par une lettre minuscule et ne contenir que des lettres minuscules, des chiffres et « _ » (par exemple « en_instruction »).' },
      { path: 'initial', message: 'Statut initial invalide « Ouvert » : il doit commencer par une lettre minuscule et ne contenir que des lettres minuscules, des chiffres et « _ » (par exemple « en_instruction »).' },
      { path: 'transitions[0].from[0]', message: 'La transition « clore » part d’un statut inconnu « Ouvert » ; statuts définis : « clos » (ou « * » pour tout statut ouvert).' },
    ]);
  });

  it('reports an unknown action type with the possible types', () => {
    const def = withChange((d) => { d.statuses[0]!.onEnter![0] = { type: 'envoyer_sms' } as unknown as Action; });
    expectOnly(def, 'statuses[0].onEnter[0].type', 'envoyer_sms', 'notify_citizen, request_information');
  });

  it('checks each action against the schema of its type', () => {
    const def = withChange((d) => { d.statuses[0]!.onEnter![1] = { type: 'notify_citizen', body: 'x' } as unknown as Action; });
    expect(checkWorkflowDefinition(def, CONTEXT)).toEqual([
      { path: 'statuses[0].onEnter[1].message', message: 'La propriété « message » est obligatoire.' },
      { path: 'statuses[0].onEnter[1].body', message: 'Propriété inconnue « body » : elle n’est pas prévue à cet endroit.' },
    ]);
  });

  it('checks timers and inputs against their schemas', () => {
    const def = withChange((d) => {
      (d.statuses[1]!.timers![0]!.after as unknown as Record<string, unknown>)['unit'] = 'months';
      (d.transitions[5]!.inputs![1] as unknown as Record<string, unknown>)['type'] = 'color';
    });
    const errors = checkWorkflowDefinition(def, CONTEXT);
    expect(errors.map((error) => error.path)).toEqual(['statuses[1].timers[0].after.unit', 'transitions[5].inputs[1].type']);
    expect(errors[0]!.message).toContain('months');
    expect(errors[1]!.message).toContain('color');
  });

  it('reports actions, timers and inputs that are not objects', () => {
    const def = withChange((d) => {
      (d.statuses[0]!.onEnter as unknown[])[0] = 'assign';
      (d.statuses[1]!.timers as unknown[])[0] = 3;
      (d.transitions[5]!.inputs as unknown[]).push(null);
    });
    expect(checkWorkflowDefinition(def, CONTEXT).map((error) => error.path)).toEqual(['statuses[0].onEnter[0]', 'statuses[1].timers[0]', 'transitions[5].inputs[2]']);
  });
});

describe('checkWorkflowDefinition — statuses and transitions', () => {
  it('reports a duplicate status id', () => {
    const def = withChange((d) => { d.statuses.push(status('refuse', 'closed_refused')); });
    expectOnly(def, 'statuses[6].id', '« refuse »', 'statuses[4]');
  });

  it('reports a duplicate transition name', () => {
    const def = withChange((d) => { d.transitions.push({ ...d.transitions[5]!, label: 'Refuser encore' }); });
    expectOnly(def, 'transitions[8].name', '« refuser »', 'transitions[5]');
  });

  it('reports an initial status that does not exist', () => {
    expectOnly(withChange((d) => { d.initial = 'brouillon'; }), 'initial', '« brouillon »', '« recu »');
  });

  it('reports a transition from an unknown status', () => {
    expectOnly(withChange((d) => { d.transitions[2]!.from = ['attente_usagers']; }), 'transitions[2].from[0]', '« pieces_recues »', '« attente_usagers »');
  });

  it('reports a transition to an unknown status', () => {
    expectOnly(withChange((d) => { d.transitions[6]!.to = 'en_instructio'; }), 'transitions[6].to', '« prolonger »', '« en_instructio »');
  });

  it('reports a status no transition leads to', () => {
    expectOnly(withChange((d) => { d.statuses.push(status('archive', 'closed_without_action')); }), 'statuses[6]', '« archive »', 'inaccessible');
  });

  it('reports an open status without a way out, even with an escalation timer or a loop', () => {
    const def = withChange((d) => {
      d.transitions.pop(); // « abandonner », from every open status
      d.statuses.push(status('expertise', 'waiting_third_party', { timers: [{ after: { value: 5, unit: 'business_days' }, escalate: 'managers' }] }));
      d.transitions.push(transition('demander_expertise', ['en_instruction'], 'expertise'), transition('relancer', ['expertise'], 'expertise'));
    });
    expect(expectOnly(def, 'statuses[6]', '« expertise »')).toMatch(/^Impasse/);
  });

  it('reports a transition nobody can take', () => {
    expectOnly(withChange((d) => { d.transitions[2]!.roles = []; }), 'transitions[2].roles', '« pieces_recues »');
  });

  it('accepts a transition without roles that a timer takes', () => {
    expect(birthCertificate.transitions[3]!.roles).toEqual([]);
    expect(checkWorkflowDefinition(birthCertificate, CONTEXT)).toEqual([]);
  });
});

describe('checkWorkflowDefinition — timers', () => {
  const after = { value: 2, unit: 'business_days' } as const;

  it('refuses timers on a closed status', () => {
    expectOnly(withChange((d) => { d.statuses[3]!.timers = [{ after, escalate: 'managers' }]; }), 'statuses[3].timers', '« delivre »', 'closed_accepted');
  });

  it('requires a timer to take a transition or escalate', () => {
    expectOnly(withChange((d) => { d.statuses[1]!.timers = [{ after }]; }), 'statuses[1].timers[0]', '« transition »', '« escalate »');
  });

  it('refuses a timer that both takes a transition and escalates', () => {
    expectOnly(withChange((d) => { d.statuses[1]!.timers = [{ after, transition: 'delivrer', escalate: 'managers' }]; }), 'statuses[1].timers[0]', 'pas les deux');
  });

  it('reports a timer taking an unknown transition', () => {
    expectOnly(withChange((d) => { d.statuses[1]!.timers = [{ after, transition: 'expirer' }]; }), 'statuses[1].timers[0].transition', '« expirer »');
  });

  it('reports a timer taking a transition that does not leave its status', () => {
    expectOnly(withChange((d) => { d.statuses[1]!.timers = [{ after, transition: 'pieces_recues' }]; }), 'statuses[1].timers[0].transition', '« pieces_recues »', '« en_instruction »');
  });

  it('reports a timer taking a transition whose required inputs it cannot give', () => {
    expectOnly(withChange((d) => { d.statuses[1]!.timers = [{ after, transition: 'refuser' }]; }), 'statuses[1].timers[0].transition', '« refuser »', 'motif');
  });

  it('accepts a timer taking a transition from every open status', () => {
    expect(checkWorkflowDefinition(withChange((d) => { d.statuses[1]!.timers = [{ after, transition: 'abandonner' }]; }), CONTEXT)).toEqual([]);
  });
});

describe('checkWorkflowDefinition — actions', () => {
  it('reports an assignment to an unknown department', () => {
    expectOnly(withChange((d) => { d.statuses[0]!.onEnter![0] = { type: 'assign', department: 'urbanisme' }; }), 'statuses[0].onEnter[0].department', '« urbanisme »', '« etat-civil »');
  });

  it('reports an assignment to an unknown agent, when agents are known', () => {
    const def = withChange((d) => { d.transitions[0]!.actions![0] = { type: 'assign', agent: 'Paul.Inconnu@mairie.example' }; });
    expectOnly(def, 'transitions[0].actions[0].agent', '« Paul.Inconnu@mairie.example »');
    expect(checkWorkflowDefinition(def, { ...CONTEXT, agentEmails: undefined })).toEqual([]);
    expect(checkWorkflowDefinition(withChange((d) => { d.transitions[0]!.actions![0] = { type: 'assign', agent: 'CLAIRE.MARTIN@mairie.example' }; }), CONTEXT)).toEqual([]);
  });

  it('reports an agent address that is not an address, even when agents are not known', () => {
    const def = withChange((d) => { d.transitions[0]!.actions![0] = { type: 'assign', agent: 'claire' }; });
    const error = only(def, { ...CONTEXT, agentEmails: undefined });
    expect(error.path).toBe('transitions[0].actions[0].agent');
    expect(error.message).toContain('« claire »');
  });

  it('requires an assignment to name a department or an agent', () => {
    expectOnly(withChange((d) => { d.transitions[0]!.actions![0] = { type: 'assign' }; }), 'transitions[0].actions[0]', '« department »', '« agent »');
  });

  it('reports an invalid webhook address and document file name', () => {
    const def = withChange((d) => {
      d.statuses[3]!.onEnter![1] = { type: 'webhook', url: 'ftp://registre.example' };
      (d.statuses[3]!.onEnter![0] as { filename: string }).filename = 'lettre envoi.doc';
    });
    const errors = checkWorkflowDefinition(def, CONTEXT);
    expect(errors.map((error) => error.path)).toEqual(['statuses[3].onEnter[0].filename', 'statuses[3].onEnter[1].url']);
    expect(errors[0]!.message).toContain('« lettre envoi.doc »');
    expect(errors[1]!.message).toContain('« ftp://registre.example »');
  });
});

describe('checkWorkflowDefinition — inputs', () => {
  it('requires options for a select input', () => {
    expectOnly(withChange((d) => { delete d.transitions[5]!.inputs![0]!.options; }), 'transitions[5].inputs[0].options', '« motif »');
  });

  it('refuses options on an input that is not a select', () => {
    expectOnly(withChange((d) => { d.transitions[5]!.inputs![1]!.options = [{ value: 'a', label: 'A' }]; }), 'transitions[5].inputs[1].options', '« precision »', '« text »');
  });

  it('reports a duplicate input name', () => {
    const def = withChange((d) => { d.transitions[5]!.inputs!.push({ name: 'motif', label: 'Autre motif', type: 'text' }); });
    expectOnly(def, 'transitions[5].inputs[2].name', '« motif »', 'transitions[5].inputs[0]');
  });
});

describe('checkWorkflowDefinition — conditions', () => {
  it('reports a condition on a field the form does not have', () => {
    const def = withChange((d) => { d.transitions[4]!.condition = { all: [{ field: 'acteType', op: 'filled' }, { field: 'typeActe', op: 'eq', value: 'x' }] }; });
    expectOnly(def, 'transitions[4].condition.all[1].field', '« typeActe »', '« acteType »');
    expect(checkWorkflowDefinition(def, { departmentSlugs: DEPARTMENTS })).toEqual([]);
  });

  it('reports a malformed condition', () => {
    expectOnly(withChange((d) => { d.transitions[4]!.condition = { field: 'acteType', op: 'equals' } as never; }), 'transitions[4].condition.op', 'equals');
    expectOnly(withChange((d) => { d.transitions[4]!.condition = { si: 'acteType' } as never; }), 'transitions[4].condition', 'Condition non reconnue');
  });

  it('checks operators and values against the field types when the form’s fields are given', () => {
    const formFields: Field[] = [{ type: 'select', name: 'acteType', label: 'Type', options: [{ value: 'copie', label: 'Copie' }] }];
    const def = withChange((d) => { d.transitions[4]!.condition = { field: 'acteType', op: 'eq', value: 'extrait' }; });
    const error = only(def, { ...CONTEXT, formFields });
    expect(error).toEqual({ path: 'transitions[4].condition.value', message: 'La valeur "extrait" ne fait pas partie des options du champ « acteType ».' });
  });
});

describe('checkWorkflowDefinition — templates', () => {
  it('reports a Liquid syntax error in a subject', () => {
    const def = withChange((d) => { d.transitions[5]!.actions![0] = message('Votre demande {{ case.reference }', 'x'); });
    const text = expectOnly(def, 'transitions[5].actions[0].message.subject', 'ligne 1, colonne 15');
    expect(text).toMatch(/^Erreur de syntaxe/);
  });

  it('reports an unknown input in a body, naming the transition’s inputs', () => {
    const def = withChange((d) => { d.transitions[5]!.actions![0] = message('Refus', 'Motif : {{ inputs.motiv }}'); });
    expectOnly(def, 'transitions[5].actions[0].message.body', 'inputs.motiv', 'inputs.motif, inputs.precision');
  });

  it('reports an input used on entering a status no transition with that input leads to', () => {
    const def = withChange((d) => { d.statuses[3]!.onEnter![0] = message('Délivré', '{{ inputs.motif }}'); });
    expectOnly(def, 'statuses[3].onEnter[0].message.body', 'inputs.motif');
  });

  it('reports an unknown variable or form field in a generated document', () => {
    expectOnly(withChange((d) => { (d.statuses[3]!.onEnter![0] as { body: string }).body = '{{ agent.nom }}'; }), 'statuses[3].onEnter[0].body', 'agent.nom', 'agent.name');
    expectOnly(withChange((d) => { (d.statuses[3]!.onEnter![0] as { body: string }).body = '{{ case.data.adresse }}'; }), 'statuses[3].onEnter[0].body', 'case.data.adresse', 'case.data.acteType');
  });

  it('reports an unknown filter in a request for information', () => {
    const def = withChange((d) => {
      const action = d.transitions[1]!.actions![0] as Extract<Action, { type: 'request_information' }>;
      (action.message as { body: string }).body = '{{ replyBy | date_en }}';
    });
    expectOnly(def, 'transitions[1].actions[0].message.body', '« date_en »');
  });
});

describe('checkWorkflowDefinition — onCitizenReply', () => {
  const waiting = (onCitizenReply: string, extra: Partial<Transition> = {}): WorkflowDefinition => ({
    version: 1,
    initial: 'ouvert',
    statuses: [status('ouvert', 'new'), status('attente', 'waiting_citizen', { onCitizenReply }), status('clos', 'closed_accepted')],
    transitions: [
      transition('demander', ['ouvert'], 'attente'),
      transition('reprendre', ['attente'], 'ouvert', { roles: [], ...extra }),
      transition('clore', ['ouvert', 'attente'], 'clos'),
    ],
  });

  it('accepts a transition leaving the status, even without roles', () => {
    expect(checkWorkflowDefinition(waiting('reprendre'), { departmentSlugs: [] })).toEqual([]);
  });

  it('refuses an unknown transition, one that does not leave the status, or one with required inputs', () => {
    expect(checkWorkflowDefinition(waiting('inconnue'), { departmentSlugs: [] }).map((e) => e.path)).toContain('statuses[1].onCitizenReply');
    expect(checkWorkflowDefinition(waiting('demander', { roles: ['agent'] }), { departmentSlugs: [] })).toEqual([
      expect.objectContaining({ path: 'statuses[1].onCitizenReply', message: expect.stringContaining('ne part pas du statut « attente »') }),
    ]);
    const withInput = waiting('reprendre', { roles: ['agent'], inputs: [{ name: 'motif', label: 'Motif', type: 'text', required: true }] });
    expect(checkWorkflowDefinition(withInput, { departmentSlugs: [] })).toEqual([
      expect.objectContaining({ path: 'statuses[1].onCitizenReply', message: expect.stringContaining('exige des champs (motif)') }),
    ]);
  });

  it('refuses it on a closed status and a malformed name', () => {
    const def = waiting('reprendre');
    def.statuses[2]!.onCitizenReply = 'clore';
    expect(checkWorkflowDefinition(def, { departmentSlugs: [] })).toEqual([
      expect.objectContaining({ path: 'statuses[2].onCitizenReply', message: expect.stringContaining('statut de clôture') }),
    ]);
    expect(checkWorkflowDefinition(waiting('Reprendre', { roles: ['agent'] }), { departmentSlugs: [] })).toEqual([
      expect.objectContaining({ path: 'statuses[1].onCitizenReply', message: expect.stringContaining('Nom de transition invalide') }),
    ]);
  });
});
