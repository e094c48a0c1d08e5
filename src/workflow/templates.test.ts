import { describe, expect, it } from 'vitest';
import { TEMPLATE_VARIABLES, TemplateError, checkTemplate, renderTemplate } from './templates.js';
import type { TemplateVariable, TemplateVariables } from './templates.js';
import { sampleVariables } from './test-fixtures.js';

const only = (source: string, options?: Parameters<typeof checkTemplate>[1]): string => {
  const errors = checkTemplate(source, options);
  expect(errors).toHaveLength(1);
  return errors[0]!;
};

describe('renderTemplate', () => {
  it('renders variables as plain text, without HTML escaping', async () => {
    const variables: TemplateVariables = { ...sampleVariables, case: { ...sampleVariables.case, subject: 'Bruit <nuit> & "fête"' } };
    const text = await renderTemplate('{{ citizen.civility }} {{ citizen.lastName }}, dossier {{ case.reference }} : {{ case.subject }}', variables);
    expect(text).toBe('Madame Moreau, dossier 2026-000123 : Bruit <nuit> & "fête"');
  });

  it('renders form data, inputs and empty values', async () => {
    const text = await renderTemplate('{{ case.data.acteType }}|{{ inputs.motif }}|{{ case.implicitDecisionOn }}|{{ inputs.absent }}|{{ replyBy }}', sampleVariables);
    expect(text).toBe('copie intégrale|hors_commune|||11 avril 2026');
  });

  it('renders for an anonymous request without an agent', async () => {
    const text = await renderTemplate('Bonjour {{ citizen.fullName | default: "Madame, Monsieur" }}{% if agent %}, {{ agent.name }}{% endif %}.', { ...sampleVariables, citizen: null, agent: null });
    expect(text).toBe('Bonjour Madame, Monsieur.');
  });

  it('formats ISO dates in French in the Paris time zone with date_fr', async () => {
    const source = '{{ case.receivedAt | date_fr }}|{{ "2026-03-01" | date_fr }}|{{ "2026-12-31T23:30:00Z" | date_fr }}|{{ "pas une date" | date_fr }}|{{ case.implicitDecisionOn | date_fr }}';
    expect(await renderTemplate(source, sampleVariables)).toBe('12 mars 2026|1er mars 2026|1er janvier 2027|pas une date|');
  });

  it('leaves the variables unchanged, whatever the template assigns', async () => {
    const variables = structuredClone(sampleVariables);
    expect(await renderTemplate('{% assign case = 1 %}{{ case }}{% capture agent %}x{% endcapture %}{% increment replyBy %}{% decrement inputs %}', variables)).toBe('10-1');
    expect(variables).toEqual(sampleVariables);
  });

  it('does not expose prototypes', async () => {
    expect(await renderTemplate('[{{ case.constructor }}][{{ inputs.__proto__ }}][{{ case.data.toString }}]', sampleVariables)).toBe('[][][]');
  });

  it('rejects with a French TemplateError for invalid templates, unknown filters and file inclusion', async () => {
    await expect(renderTemplate('{% if case.reference %}', sampleVariables)).rejects.toThrow(TemplateError);
    await expect(renderTemplate('{{ case.reference | shout }}', sampleVariables)).rejects.toThrow('filtre inconnu « shout »');
    await expect(renderTemplate('{% include "/etc/passwd" %}', sampleVariables)).rejects.toThrow('la balise « include » n’est pas disponible');
    await expect(renderTemplate('{% render "secret" %}', sampleVariables)).rejects.toThrow(TemplateError);
    await expect(renderTemplate('{% layout "base" %}x', sampleVariables)).rejects.toThrow(TemplateError);
  });

  it('stops templates that loop or allocate too much', async () => {
    await expect(renderTemplate('{% for i in (1..1000000000) %}x{% endfor %}', sampleVariables)).rejects.toThrow(TemplateError);
    await expect(renderTemplate('{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s.size }}', sampleVariables)).rejects.toThrow('trop long');
    const started = Date.now();
    await expect(renderTemplate('{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}', sampleVariables)).rejects.toThrow(TemplateError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('checkTemplate', () => {
  it('accepts every variable of the tree, loops, assignments and filters', () => {
    const source = [
      '{{ organisation.name }} {{ case.reference }} {{ case.trackingCode }} {{ case.subject }} {{ case.receivedAt | date_fr }}',
      '{{ case.receivedOn }} {{ case.dueOn }} {{ case.implicitDecisionOn }} {{ case.status }} {{ case.trackingUrl }} {{ case.data.acteType }}',
      '{% if citizen %}{{ citizen.civility }} {{ citizen.firstNames }} {{ citizen.lastName }} {{ citizen.fullName }} {{ citizen.email }} {{ citizen.phone }}{% endif %}',
      '{{ procedure.title | upcase }} {{ procedure.slug }} {{ department.name }} {{ department.email }} {{ department.phone }} {{ department.address }}',
      '{{ inputs.motif }} {{ agent.name }} {{ replyBy }} {{ case.subject.size }} {{ case.data[inputs.motif] }} {{ case.data.home.city }}',
      '{% assign nom = citizen.lastName | default: "—" %}{{ nom }}{% for item in case.data.pieces %}{{ forloop.index }}. {{ item }}{% endfor %}',
      '{% capture signature %}{{ agent.name }}{% endcapture %}{{ signature }}{% comment %}{{ nimporte.quoi }}{% endcomment %}{% raw %}{{ brut }}{% endraw %}',
    ].join('\n');
    expect(checkTemplate(source, { inputNames: ['motif'], formFieldNames: ['acteType', 'home', 'pieces'] })).toEqual([]);
  });

  it('accepts any input and form field when their names are not given', () => {
    expect(checkTemplate('{{ inputs.nimporte }} {{ case.data.quoi }}')).toEqual([]);
  });

  it('reports an unknown property with its position and the possible variables', () => {
    expect(only('Dossier {{ case.referenec }}')).toBe(
      'Variable inconnue « case.referenec » (ligne 1, colonne 12) : variables possibles : case.reference, case.trackingCode, case.subject, case.receivedAt, case.receivedOn, case.dueOn, case.implicitDecisionOn, case.status, case.trackingUrl, case.data.',
    );
  });

  it('reports an unknown root variable', () => {
    expect(only('Bonjour\n  {{ usager.nom }}')).toBe(
      'Variable inconnue « usager.nom » (ligne 2, colonne 6) : variables possibles : organisation, case, citizen, procedure, department, inputs, agent, replyBy.',
    );
  });

  it('checks inputs against the transition’s inputs', () => {
    expect(only('{{ inputs.motiff }}', { inputNames: ['motif', 'precision'] })).toBe(
      'Variable inconnue « inputs.motiff » (ligne 1, colonne 4) : variables possibles : inputs.motif, inputs.precision.',
    );
    expect(only('{{ inputs.motif }}', { inputNames: [] })).toBe('Variable inconnue « inputs.motif » (ligne 1, colonne 4) : aucune saisie n’est demandée ici.');
  });

  it('checks case.data against the form’s fields', () => {
    expect(only('{{ case.data["acte type"] }}', { formFieldNames: ['acteType'] })).toBe(
      'Variable inconnue « case.data["acte type"] » (ligne 1, colonne 4) : variables possibles : case.data.acteType.',
    );
  });

  it('refuses properties of a text', () => {
    expect(only('{{ case.reference.numero }}')).toBe('Variable inconnue « case.reference.numero » (ligne 1, colonne 4) : « case.reference » est un texte, sans propriété « numero ».');
  });

  it('reports each unknown variable once, in the order of the template', () => {
    expect(checkTemplate('{{ b }} {{ a }} {{ b }}')).toEqual([
      'Variable inconnue « b » (ligne 1, colonne 4) : variables possibles : organisation, case, citizen, procedure, department, inputs, agent, replyBy.',
      'Variable inconnue « a » (ligne 1, colonne 12) : variables possibles : organisation, case, citizen, procedure, department, inputs, agent, replyBy.',
    ]);
  });

  it('reports syntax errors in French with their line and column', () => {
    expect(only('Bonjour\n{% if case.reference %}oui')).toBe('Erreur de syntaxe (ligne 2, colonne 1) : la balise {% if case.reference %} n’est pas fermée (il manque sa balise de fin, par exemple {% endif %}).');
    expect(only('Bonjour {{ case.reference ')).toBe('Erreur de syntaxe (ligne 1, colonne 9) : « {{ case.reference  » n’est pas fermé : ajoutez « }} ».');
    expect(only('{{ case.reference | majuscules }}')).toBe('Erreur de syntaxe (ligne 1, colonne 1) : filtre inconnu « majuscules ».');
    expect(only('{% endif %}')).toBe('Erreur de syntaxe (ligne 1, colonne 1) : balise de fin « endif » sans balise d’ouverture correspondante.');
    expect(only('a\n{% else %}')).toBe('Erreur de syntaxe (ligne 2, colonne 1) : balise « else » hors du bloc qui l’autorise (if, case ou for).');
    expect(only('{% if %}oui{% endif %}')).toBe('Erreur de syntaxe (ligne 1, colonne 6) : expression manquante.');
    expect(only('{% boucle %}')).toBe('Erreur de syntaxe (ligne 1, colonne 1) : balise inconnue « boucle ».');
  });

  it('refuses templates that include other templates', () => {
    for (const tag of ['include', 'render', 'layout']) {
      expect(only(`{% ${tag} "modele" %}`)).toBe(`Erreur de syntaxe (ligne 1, colonne 1) : la balise « ${tag} » n’est pas disponible : un modèle ne peut pas inclure d’autre modèle.`);
    }
  });

  it('never throws on odd sources', () => {
    for (const source of ['', '{{', '}}', '{%', '{% %}', '{{ | }}', '{{ a[ }}', '{% for %}', '{% liquid\nassign %}', '{{ (1.. }}', '\u0000', 'x'.repeat(300_000), 42 as unknown as string]) {
      expect(() => checkTemplate(source)).not.toThrow();
    }
  });
});

describe('TEMPLATE_VARIABLES', () => {
  /** Every path of a value, down to its leaves, stopping at the maps (data, inputs). */
  function paths(value: unknown, node: TemplateVariable, prefix: string): string[] {
    if (node.kind !== 'object' || value === null || typeof value !== 'object') return [prefix];
    return Object.entries(value).flatMap(([key, child]) => {
      const childNode = node.properties[key];
      return childNode === undefined ? [`${prefix}.${key}`] : paths(child, childNode, `${prefix}.${key}`);
    });
  }

  it('describes exactly the variables given at rendering', () => {
    expect(Object.keys(TEMPLATE_VARIABLES).sort()).toEqual(Object.keys(sampleVariables).sort());
    const all = Object.entries(sampleVariables).flatMap(([key, value]) => paths(value, TEMPLATE_VARIABLES[key as keyof TemplateVariables], key));
    expect(all.length).toBeGreaterThan(25);
    expect(checkTemplate(all.map((path) => `{{ ${path} }}`).join(' '))).toEqual([]);
    for (const node of Object.values(TEMPLATE_VARIABLES)) expect(node.description).not.toBe('');
  });
});
