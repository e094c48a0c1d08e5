import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from './definition.js';
import { renderWorkflowSvg } from './diagram.js';
import { birthCertificate, copy } from './test-fixtures.js';

/** Checks that tags are balanced and that no text holds a raw `<` or a stray `&`; returns the tag names. */
function parseXmlish(svg: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let index = 0;
  while (index < svg.length) {
    const next = svg.indexOf('<', index);
    const text = svg.slice(index, next === -1 ? svg.length : next);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)|>/);
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(svg);
    if (match === null) throw new Error(`malformed tag at ${next}: ${svg.slice(next, next + 60)}`);
    const [whole, closing, name, , selfClosing] = match;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name!);
    names.push(name!);
    index = next + whole.length;
  }
  expect(stack).toEqual([]);
  return names;
}

/** The text a sighted reader sees (drawn text, not the title and description). */
function drawnText(svg: string): string {
  return [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>|<text class="status-category"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? m[2]).join('\n');
}

describe('renderWorkflowSvg', () => {
  const svg = renderWorkflowSvg(birthCertificate);

  it('produces well-formed, accessible SVG', () => {
    const names = parseXmlish(svg);
    expect(names[0]).toBe('svg');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" role="img" aria-labelledby="workflow-title workflow-desc"/);
    expect(svg).toContain('<title id="workflow-title">Circuit de traitement</title>');
    const desc = /<desc id="workflow-desc">([^<]*)<\/desc>/.exec(svg)![1]!;
    expect(desc).toContain('6 statuts, 8 transitions');
    expect(desc).toContain('Statut initial : Reçu.');
    expect(desc).toContain('Refuser, de En instruction, En attente de pièces vers Refusé');
    expect(desc).toContain('Classer sans suite, de tout statut ouvert vers Classé sans suite');
  });

  it('draws every status with its category in words and every transition label', () => {
    const text = drawnText(svg);
    for (const status of birthCertificate.statuses) expect(text).toContain(status.label);
    for (const transition of birthCertificate.transitions) expect(text).toContain(transition.label);
    for (const category of ['Nouveau · statut initial', 'En cours', 'En attente de l’usager', 'Clos – accepté', 'Clos – refusé', 'Clos – sans suite']) expect(text).toContain(category);
    expect(text).toContain('Classer sans réponse');
    expect(text).toContain('(auto. après 30 jours)');
  });

  it('draws one arrow per pair of statuses and a note for transitions from every open status', () => {
    expect(svg.match(/<path d="M[^"]*" fill="none"/g)).toHaveLength(8);
    expect(drawnText(svg)).toContain('Depuis tout statut ouvert :\n« Classer sans suite » → Classé sans suite');
  });

  it('places statuses in columns by distance from the initial status', () => {
    const x = (id: string): number => Number(new RegExp(`data-status="${id}"><title>[^<]*</title><rect x="([\\d.]+)"`).exec(svg)![1]);
    expect(x('recu')).toBeLessThan(x('en_instruction'));
    expect(x('en_instruction')).toBeLessThan(x('attente_usager'));
    expect(x('attente_usager')).toBe(x('delivre'));
    expect(x('attente_usager')).toBe(x('refuse'));
    expect(x('refuse')).toBeLessThan(x('sans_suite'));
  });

  it('escapes every text', () => {
    const def = copy(birthCertificate);
    def.statuses[0]!.label = 'A <b> & "c"';
    def.transitions[0]!.label = '<script>alert("x")</script> & co';
    const hostile = renderWorkflowSvg(def, { title: 'Circuit <« x »> & "y"', idPrefix: 'a"><script' });
    parseXmlish(hostile);
    expect(hostile).not.toContain('<b>');
    expect(hostile).not.toContain('<script');
    expect(hostile).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
    expect(hostile).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(hostile).toContain('<title id="ascript-title">Circuit &lt;« x »&gt; &amp; &quot;y&quot;</title>');
  });

  it('wraps long labels and is deterministic', () => {
    const def = copy(birthCertificate);
    def.statuses[1]!.label = 'Instruction approfondie par le service de l’état civil et vérification des pièces';
    const once = renderWorkflowSvg(def);
    expect(renderWorkflowSvg(def)).toBe(once);
    parseXmlish(once);
    expect(drawnText(once)).toMatch(/Instruction approfondie\n.*…/);
  });

  it('draws definitions with unreachable statuses, unknown targets and no transitions', () => {
    const def: WorkflowDefinition = {
      version: 1, initial: 'a',
      statuses: [{ id: 'a', label: 'A', citizenLabel: 'A', category: 'new' }, { id: 'b', label: 'B', citizenLabel: 'B', category: 'in_progress' }],
      transitions: [{ name: 't', label: 'T', from: ['a', 'zz'], to: 'nowhere', roles: ['agent'] }],
    };
    const drawn = renderWorkflowSvg(def);
    parseXmlish(drawn);
    expect(drawnText(drawn)).toContain('B');
    parseXmlish(renderWorkflowSvg({ ...def, transitions: [] }));
  });
});
