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

  it('draws one arrow per origin, one label per group of arrows, and a note for transitions from every open status', () => {
    expect(svg.match(/<path d="M[^"]*" fill="none"/g)).toHaveLength(8);
    const text = drawnText(svg);
    // « Refuser » leaves two statuses but is written once, on the lane they share.
    expect(text.match(/^Refuser$/gm)).toHaveLength(1);
    expect(svg).toContain('<title>Refuser : de « En instruction » vers « Refusé »</title>');
    expect(svg).toContain('<title>Refuser : de « En attente de pièces » vers « Refusé »</title>');
    expect(text).toContain('Depuis tout statut ouvert :\n« Classer sans suite » → Classé sans suite');
  });

  it('places open statuses in columns by distance from the initial status, and closing statuses last', () => {
    const box = (id: string): { x: number; y: number } => {
      const match = new RegExp(`data-status="${id}"><title>[^<]*</title><rect x="([\\d.-]+)" y="([\\d.-]+)"`).exec(svg)!;
      return { x: Number(match[1]), y: Number(match[2]) };
    };
    expect(box('recu').x).toBeLessThan(box('en_instruction').x);
    expect(box('en_instruction').x).toBeLessThan(box('attente_usager').x);
    expect(box('attente_usager').x).toBeLessThan(box('delivre').x);
    expect(box('delivre').x).toBe(box('refuse').x);
    expect(box('delivre').x).toBe(box('sans_suite').x);
    expect(box('delivre').y).toBeLessThan(box('refuse').y);
    expect(box('refuse').y).toBeLessThan(box('sans_suite').y);
  });

  it('keeps labels off the boxes and off each other', () => {
    const def = copy(birthCertificate);
    def.transitions.push(
      { name: 'noter', label: 'Ajouter une note au dossier', from: ['recu'], to: 'recu', roles: ['agent'] },
      { name: 'relancer', label: 'Relancer l’usager', from: ['attente_usager'], to: 'attente_usager', roles: ['agent'] },
      { name: 'rouvrir', label: 'Rouvrir', from: ['refuse', 'sans_suite'], to: 'en_instruction', roles: ['manager'] },
    );
    const drawn = renderWorkflowSvg(def);
    const rects = (pattern: RegExp): { x: number; y: number; width: number; height: number }[] =>
      [...drawn.matchAll(pattern)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) }));
    const boxes = rects(/<g class="status"[^>]*><title>[^<]*<\/title><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g);
    const labels = rects(/<g class="edge-label"><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g);
    expect(boxes).toHaveLength(6);
    expect(labels.length).toBeGreaterThanOrEqual(10);
    const overlap = (a: (typeof boxes)[number], b: (typeof boxes)[number]): boolean =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    labels.forEach((label, index) => {
      for (const box of boxes) expect(overlap(label, box)).toBe(false);
      for (const other of labels.slice(index + 1)) expect(overlap(label, other)).toBe(false);
    });
    expect(drawnText(drawn)).toContain('Rouvrir');
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
