/**
 * The form field components of the portal: every field type rendered with its accessibility
 * wiring (labels, hints, errors, fieldsets), conditional wrappers, the round trip rendered form →
 * posted body → `readPostedValues` → `validateSubmission`, group actions and their bounds, the
 * answer list, the address proxy against a real local HTTP peer, and axe-core plus keyboard use in
 * Chromium.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HouseholdMember } from '../src/citizens/profile.js';
import type { Db } from '../src/db/database.js';
import type { App } from '../src/http/context.js';
import type { Field } from '../src/procedures/form/definition.js';
import { validateSubmission } from '../src/procedures/form/validate.js';
import { formWith } from '../src/procedures/form/test-fixtures.js';
import {
  AnswerList, applyGroupAction, fileInputName, FormFields, inputIdOf, readFileActions, readPostedValues,
  type FieldRenderContext,
} from '../src/portal/forms/fields/index.js';
import type { VaultDocument } from '../src/portal/space/vault-repository.js';
import { testApp } from './app.js';
import { axeViolations, browserAvailable, browserSkipReason, launchBrowser } from './browser.js';
import { freshDb } from './db.js';
import { validateHtml, validatorAvailable } from './html-validator.js';

const OPTIONS = [{ value: 'a', label: 'Option A' }, { value: 'b', label: 'Option B' }, { value: 'c', label: 'Option C' }];

/** One field of every type, a condition, and a group with a condition and a file of its own. */
const FIELDS: Field[] = [
  { type: 'text', name: 'prenom', label: 'Prénom', required: true, prefill: { from: 'citizen', path: 'firstNames' } },
  { type: 'textarea', name: 'description', label: 'Description', hint: 'Décrivez le problème.', maxLength: 2000 },
  { type: 'email', name: 'email', label: 'Adresse électronique' },
  { type: 'phone', name: 'telephone', label: 'Téléphone' },
  { type: 'number', name: 'nombre', label: 'Nombre de personnes', integer: true, min: 1, max: 10 },
  { type: 'date', name: 'dateNaissance', label: 'Date de naissance', max: 'today' },
  { type: 'select', name: 'categorie', label: 'Catégorie', options: OPTIONS },
  { type: 'radio', name: 'urgence', label: 'Urgence', options: OPTIONS, required: true },
  { type: 'checkboxes', name: 'jours', label: 'Jours', options: OPTIONS, minItems: 1 },
  { type: 'yesno', name: 'animaux', label: 'Avez-vous des animaux ?' },
  { type: 'text', name: 'animauxDetail', label: 'Lesquels ?', visibleWhen: { field: 'animaux', op: 'eq', value: true } },
  { type: 'address', name: 'adresse', label: 'Adresse' },
  { type: 'geolocation', name: 'lieu', label: 'Lieu du problème' },
  { type: 'file', name: 'photo', label: 'Photo', accept: ['image/*'], maxSizeBytes: 5_000_000, maxFiles: 2 },
  { type: 'householdMember', name: 'enfant', label: 'Enfant concerné', memberRole: 'child' },
  {
    type: 'group', name: 'responsables', label: 'Responsable', minItems: 1, maxItems: 2,
    fields: [
      { type: 'text', name: 'nom', label: 'Nom', required: true },
      { type: 'yesno', name: 'autorite', label: 'Exerce l’autorité parentale ?' },
      { type: 'date', name: 'depuis', label: 'Depuis le', visibleWhen: { field: 'autorite', op: 'eq', value: true } },
      { type: 'file', name: 'justificatif', label: 'Justificatif' },
    ],
  },
];
const FORM = formWith(...FIELDS);

const MEMBERS: HouseholdMember[] = [
  { id: 1, citizenId: 10, role: 'adult', relationship: null, firstNames: 'Léa', lastName: 'Martin', birthDate: '1985-03-02' },
  { id: 2, citizenId: null, role: 'child', relationship: 'fille', firstNames: 'Zoé', lastName: 'Martin', birthDate: '2016-05-01' },
];
const VAULT: VaultDocument[] = [
  { id: 7, attachmentId: 'vaultpng0001', kind: 'identite', label: 'Carte d’identité', expiresOn: null, filename: 'cni.png', mimeType: 'image/png', size: 120_000, createdAt: '2026-01-01T00:00:00Z' },
  { id: 8, attachmentId: 'vaultpdf0001', kind: 'domicile', label: 'Facture d’électricité', expiresOn: null, filename: 'edf.pdf', mimeType: 'application/pdf', size: 80_000, createdAt: '2026-01-01T00:00:00Z' },
];

/** A full set of raw answers, as a browser would post them. */
const ANSWERS: Record<string, unknown> = {
  prenom: 'Léa',
  description: 'Le lampadaire\nest cassé « depuis » <lundi> & mardi',
  email: 'lea@example.fr',
  telephone: '06 12 34 56 78',
  nombre: '3',
  dateNaissance: '1990-04-12',
  categorie: 'b',
  urgence: 'a',
  jours: ['a', 'c'],
  animaux: 'true',
  animauxDetail: 'Un chat',
  adresse: { line1: '8 boulevard du Port', line2: 'Bâtiment B', postcode: '80000', city: 'Amiens', country: 'FR', banId: '80021_6590_00008' },
  lieu: { address: 'Devant la mairie', lat: '49.894', lon: '2.2957' },
  photo: ['upload_photo1', 'upload_photo2'],
  enfant: '2',
  responsables: [
    { nom: 'Martin', autorite: 'true', depuis: '2020-01-01', justificatif: ['upload_just01'] },
    { nom: 'Durand', autorite: 'false' },
  ],
};
const NORMALISED = {
  ...ANSWERS,
  telephone: '+33612345678',
  nombre: 3,
  animaux: true,
  adresse: { line1: '8 boulevard du Port', line2: 'Bâtiment B', postcode: '80000', city: 'Amiens', country: 'FR', banId: '80021_6590_00008' },
  lieu: { address: 'Devant la mairie', lat: 49.894, lon: 2.2957 },
  responsables: [
    { nom: 'Martin', autorite: true, depuis: '2020-01-01', justificatif: ['upload_just01'] },
    { nom: 'Durand', autorite: false },
  ],
};

const context_ = (...args: Parameters<typeof context>) => context(...args);
function context(values: Record<string, unknown> = {}, errors: Record<string, string> = {}, extra: Partial<FieldRenderContext> = {}): FieldRenderContext {
  return {
    values,
    errors: new Map(Object.entries(errors)),
    householdMembers: MEMBERS,
    uploads: new Map([
      ['upload_photo1', { id: 'upload_photo1', filename: 'trottoir.jpg', size: 2_400_000, mimeType: 'image/jpeg' }],
      ['upload_photo2', { id: 'upload_photo2', filename: 'lampadaire.png', size: 300_000, mimeType: 'image/png' }],
      ['upload_just01', { id: 'upload_just01', filename: 'jugement.pdf', size: 90_000, mimeType: 'application/pdf' }],
    ]),
    vault: VAULT,
    addressApi: true,
    map: { tileUrl: 'https://tuiles.example/{z}/{x}/{y}.png', attribution: '© Contributeurs OpenStreetMap' },
    ...extra,
  };
}

const renderFields = (fields: Field[], ctx: FieldRenderContext) => render(h(FormFields, { fields, context: ctx }));

// ---- A small reading of the rendered HTML (what a browser would see and post). ----

const decode = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attributesOf(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of tag.matchAll(/\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) attributes[match[1]!] = decode(match[2] ?? '');
  return attributes;
}
const tags = (html: string, name: string) => [...html.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'g'))].map((m) => attributesOf(m[0].slice(name.length + 1, -1).replace(/^/, ' ')));
const idsOf = (html: string) => [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);

/** The body a browser posts for this HTML (files aside): successful controls only. */
function postedBody(html: string): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const current = body[name];
    body[name] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
  };
  for (const input of tags(html, 'input')) {
    if (!input['name'] || input['type'] === 'file') continue;
    if ((input['type'] === 'checkbox' || input['type'] === 'radio') && !('checked' in input)) continue;
    add(input['name'], input['value'] ?? 'on');
  }
  for (const m of html.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) add(attributesOf(m[1]!)['name']!, decode(m[2]!));
  for (const m of html.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const selected = tags(m[2]!, 'option').find((option) => 'selected' in option);
    add(attributesOf(m[1]!)['name']!, selected?.['value'] ?? '');
  }
  return body;
}

/** Every label points at an existing control, every control has a label, every description exists, ids are unique. */
function expectWired(html: string): void {
  const ids = idsOf(html);
  expect(new Set(ids).size, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`).toBe(ids.length);
  const known = new Set(ids);
  for (const label of tags(html, 'label')) expect(known.has(label['for']!), `label for=${label['for']}`).toBe(true);
  const labelled = new Set(tags(html, 'label').map((label) => label['for']));
  const controls = [...tags(html, 'input').filter((input) => input['type'] !== 'hidden'), ...tags(html, 'select'), ...tags(html, 'textarea')];
  for (const control of controls) expect(labelled.has(control['id']), `control ${control['name']} without a label`).toBe(true);
  for (const element of [...html.matchAll(/aria-describedby="([^"]+)"/g)]) {
    for (const id of element[1]!.split(' ')) expect(known.has(id), `aria-describedby target ${id}`).toBe(true);
  }
  expect((html.match(/<fieldset\b/g) ?? []).length).toBe((html.match(/<fieldset\b[^>]*>\s*<legend>/g) ?? []).length);
}

describe('rendering every field type', () => {
  it('renders each type with a label, its hint and its value, the optional ones marked', () => {
    const html = renderFields(FIELDS, context(ANSWERS));
    expectWired(html);
    expect(html).toContain('<label for="champ-prenom">Prénom</label>');
    expect(html).toMatch(/<label for="champ-email">Adresse électronique<span class="form-optional"> \(facultatif\)<\/span><\/label>/);
    expect(html).toMatch(/<input type="text" id="champ-prenom" name="prenom" value="Léa"[^>]*autocomplete="given-name"/);
    expect(html).toMatch(/<textarea id="champ-description" name="description"[^>]*aria-describedby="champ-description-hint"/);
    expect(html).toMatch(/Décrivez le problème\. 2\s000 caractères au maximum\./);
    expect(html).toMatch(/type="email" id="champ-email"[^>]*autocomplete="email"/);
    expect(html).toMatch(/type="tel" id="champ-telephone"[^>]*autocomplete="tel"[^>]*inputmode="tel"/);
    expect(html).toMatch(/id="champ-nombre"[^>]*inputmode="numeric"/);
    expect(html).toContain('Nombre entier entre 1 et 10.');
    expect(html).toMatch(/<input type="date" id="champ-dateNaissance" name="dateNaissance" value="1990-04-12"[^>]*max="\d{4}-\d{2}-\d{2}"/);
    expect(html).toContain('Format attendu : JJ/MM/AAAA, par exemple 12/04/2026.');
    expect(html).toMatch(/<select id="champ-categorie" name="categorie"[^>]*><option value>Choisir…<\/option><option value="a">Option A<\/option><option value="b" selected>/);
    // Choices: fieldset + legend, the first input carries the field's id, the posted value is checked.
    expect(html).toMatch(/<fieldset[^>]*><legend>Urgence<\/legend>[\s\S]*?<input type="radio" id="champ-urgence" name="urgence" value="a" checked/);
    expect(html).toMatch(/<legend>Jours<span class="form-optional"> \(facultatif\)<\/span><\/legend><p class="hint" id="champ-jours-hint">Cochez au moins une case.<\/p>/);
    expect(html).toMatch(/type="checkbox" id="champ-jours-3" name="jours" value="c" checked/);
    expect(html).toMatch(/<legend>Avez-vous des animaux \?[\s\S]*?value="true" checked[^>]*><label for="champ-animaux">Oui<\/label>[\s\S]*?<label for="champ-animaux-2">Non<\/label>/);
  });

  it('renders the address in a fieldset with autocomplete tokens, the country hidden', () => {
    const html = renderFields([FIELDS[11]!], context(ANSWERS));
    expectWired(html);
    expect(html).toMatch(/<fieldset class="[^"]*form-address"[^>]*data-address-complete><legend>Adresse/);
    for (const [name, token] of [['line1', 'address-line1'], ['line2', 'address-line2'], ['postcode', 'postal-code'], ['city', 'address-level2']]) {
      expect(html).toMatch(new RegExp(`name="adresse\\.${name}"[^>]*autocomplete="${token}"`));
    }
    expect(html).toMatch(/id="champ-adresse" name="adresse.line1" value="8 boulevard du Port"/);
    expect(html).toMatch(/name="adresse.postcode" value="80000"[^>]*inputmode="numeric"/);
    expect(html).toContain('<input type="hidden" name="adresse.country" value="FR"/>');
    expect(html).toContain('Complément d’adresse<span class="form-optional"> (facultatif)</span>');
    // Without the address API: no completion hook, no promise of suggestions.
    const plain = renderFields([FIELDS[11]!], context({}, {}, { addressApi: false }));
    expect(plain).not.toContain('data-address-complete');
    expect(plain).not.toContain('suggestions');
    expect(plain).toContain('value="FR"');
  });

  it('renders a place as an address input always, with hidden coordinates and a map only when tiles are configured', () => {
    const html = renderFields([FIELDS[12]!], context(ANSWERS));
    expectWired(html);
    expect(html).toMatch(/<label for="champ-lieu">Adresse ou description du lieu<\/label>/);
    expect(html).toMatch(/id="champ-lieu" name="lieu.address" value="Devant la mairie"/);
    expect(html).toContain('<input type="hidden" name="lieu.lat" value="49.894" data-geo="lat"/>');
    expect(html).toContain('<input type="hidden" name="lieu.lon" value="2.2957" data-geo="lon"/>');
    expect(html).toMatch(/<div class="form-map" data-map data-tile-url="https:\/\/tuiles.example\/\{z\}\/\{x\}\/\{y\}.png" data-attribution="© Contributeurs OpenStreetMap" hidden>/);
    expect(html).toContain('Situer sur une carte');
    // The map library is never part of the page: forms.client.js loads it on demand.
    expect(html).not.toContain('leaflet');
    const noMap = renderFields([FIELDS[12]!], context({}, {}, { map: null }));
    expect(noMap).not.toContain('data-map=');
    expect(noMap).not.toContain('Situer sur une carte');
    expect(noMap).toContain('name="lieu.address"');
  });

  it('renders a file field with its limits before upload, the files kept, « Retirer » and the fitting safe documents', () => {
    const html = renderFields([FIELDS[13]!], context(ANSWERS));
    expectWired(html);
    expect(html).toContain('Formats acceptés : JPEG, PNG, WebP, HEIC. Taille maximale : 4,8 Mo par fichier. 2 fichiers au plus.');
    expect(html).toMatch(new RegExp(`<input type="file" id="champ-photo" name="${fileInputName('photo').replace('.', '\\.')}"[^>]*accept="image/\\*"[^>]*multiple[^>]*aria-describedby="champ-photo-hint"`));
    expect(html).toContain('<input type="hidden" name="photo" value="upload_photo1"/>');
    expect(html).toMatch(/trottoir\.jpg<\/span><span class="form-file-size"> \(2,3 Mo\)<\/span>/);
    expect(html).toMatch(/type="checkbox" id="[^"]+" name="photo.__retirer" value="upload_photo2"/);
    expect(html).toContain('Retirer<span class="sr-only"> « lampadaire.png »</span>');
    expect(html).toMatch(/<legend>Utiliser un document de mon porte-documents<\/legend>[\s\S]*name="photo.__coffre" value="7"/);
    // The PDF of the safe does not fit an image field.
    expect(html).not.toContain('name="photo.__coffre" value="8"');
    const single = renderFields([{ type: 'file', name: 'piece', label: 'Pièce' }], context({}, {}, { vault: [] }));
    expect(single).not.toContain('multiple');
    expect(single).not.toContain('porte-documents');
    expect(single).toContain('Formats acceptés : PDF, JPEG, PNG, WebP, HEIC. Taille maximale : 20 Mo.');
    // The installation's limit, when the page passes it, caps the field's own.
    expect(renderFields([FIELDS[13]!], context({}, {}, { maxUploadBytes: 1_048_576 }))).toContain('Taille maximale : 1 Mo par fichier.');
    expect(renderFields([{ type: 'file', name: 'piece', label: 'Pièce' }], context({}, {}, { maxUploadBytes: 10_485_760 }))).toContain('Taille maximale : 10 Mo.');
  });

  it('offers the household members of the right role, or the way to declare them', () => {
    const html = renderFields([FIELDS[14]!], context({ enfant: '2' }));
    expectWired(html);
    expect(html).toMatch(/<legend>Enfant concerné[\s\S]*id="champ-enfant" name="enfant" value="2" checked[^>]*aria-describedby="champ-enfant-hint"[^>]*><label for="champ-enfant">Zoé Martin<\/label>/);
    expect(html).toContain('Date de naissance : 1er mai 2016');
    expect(html).not.toContain('Léa Martin');
    const none = renderFields([FIELDS[14]!], context({}, { enfant: 'Ce champ est obligatoire.' }, { householdMembers: [] }));
    expectWired(none);
    expect(none).toContain('Votre foyer ne compte aucun enfant');
    expect(none).toMatch(/<a id="champ-enfant" href="\/mon-espace\/foyer"/);
  });

  it('renders a group item by item in fieldsets, with « Retirer » and « Ajouter » as submit buttons within bounds', () => {
    const html = renderFields([FIELDS[15]!], context(ANSWERS));
    expectWired(html);
    expect(html).toMatch(/<fieldset class="form-fieldset form-group-item"><legend>Responsable 1<\/legend>/);
    expect(html).toContain('<legend>Responsable 2</legend>');
    expect(html).toMatch(/id="champ-responsables-0-nom" name="responsables\[0\]\.nom" value="Martin"/);
    // Someone else's details: no personal autocomplete inside a group.
    expect(html).not.toMatch(/name="responsables\[0\]\.nom"[^>]*autocomplete/);
    expect(html).toMatch(/<button type="submit" name="_action" value="remove:responsables\[1\]"/);
    // Two items is the maximum: no « Ajouter », the heading takes the group's id for the error summary.
    expect(html).not.toContain('value="add:responsables"');
    expect(html).toMatch(/<h2 class="form-group-title" id="champ-responsables" tabindex="-1">/);
    const one = renderFields([FIELDS[15]!], context({}));
    expect(one).toContain('<legend>Responsable 1</legend>');
    expect(one).not.toContain('value="remove:'); // the one item the minimum requires
    expect(one).toMatch(/<button type="submit" name="_action" value="add:responsables" id="champ-responsables"/);
  });

  it('wires every error to its input: message with an id, aria-describedby, aria-invalid', () => {
    const errors: Record<string, string> = {
      prenom: 'Ce champ est obligatoire.', description: 'Trop long.', email: 'Adresse invalide.', telephone: 'Numéro invalide.',
      nombre: 'Saisissez un nombre.', dateNaissance: 'Date invalide.', categorie: 'Choisissez.', urgence: 'Choisissez une urgence.',
      jours: 'Cochez au moins une case.', animaux: 'Répondez par oui ou par non.', 'adresse.postcode': 'Code postal invalide.',
      'adresse.line1': 'Ce champ est obligatoire.', lieu: 'Ce champ est obligatoire.', photo: 'Le fichier est trop lourd.',
      enfant: 'Choisissez une personne.', responsables: 'Ajoutez au moins 1 élément.', 'responsables[0].nom': 'Ce champ est obligatoire.',
    };
    const html = renderFields(FIELDS, context({}, errors));
    expectWired(html);
    for (const [path, message] of Object.entries(errors)) {
      expect(html, path).toContain(message);
      const id = inputIdOf(path);
      expect(idsOf(html), `${path} → #${id}`).toContain(id);
    }
    for (const path of ['prenom', 'description', 'email', 'telephone', 'nombre', 'dateNaissance', 'categorie', 'photo', 'responsables[0].nom']) {
      const id = inputIdOf(path);
      const input = [...tags(html, 'input'), ...tags(html, 'select'), ...tags(html, 'textarea')].find((tag) => tag['id'] === id)!;
      expect(input['aria-invalid'], path).toBe('true');
      expect(input['aria-describedby']!.split(' '), path).toContain(`${id}-error`);
    }
    expect(html).toMatch(/<p class="field-error" id="champ-prenom-error"><span class="sr-only">Erreur : <\/span>Ce champ est obligatoire.<\/p>/);
    // Choices: the message is part of the fieldset's description and each choice is marked invalid.
    expect(html).toMatch(/<fieldset class="form-field form-fieldset form-field--error" aria-describedby="champ-urgence-error">/);
    expect(html).toMatch(/id="champ-urgence" name="urgence" value="a" aria-invalid="true"/);
    // Parts of an address: the postcode error at the postcode, the line 1 error at line 1.
    expect(html).toMatch(/id="champ-adresse-postcode" name="adresse.postcode"[^>]*aria-describedby="champ-adresse-postcode-error" aria-invalid="true"/);
    expect(html).toMatch(/<p class="field-error" id="champ-adresse-error">/);
  });

  it('renders hidden conditional fields in a hidden wrapper the client can reveal, visible once the condition holds', () => {
    const hidden = renderFields(FIELDS.slice(9, 11), context({ animaux: 'false' }));
    expect(hidden).toMatch(/<div class="form-item" data-field="animauxDetail" data-type="text" data-visible-when="\{&quot;field&quot;:&quot;animaux&quot;,&quot;op&quot;:&quot;eq&quot;,&quot;value&quot;:true\}" hidden>/);
    expect(hidden).toContain('name="animauxDetail"');
    const shown = renderFields(FIELDS.slice(9, 11), context({ animaux: 'true' }));
    expect(shown).toMatch(/data-field="animauxDetail"[^>]*data-visible-when="[^"]*">/);
    expect(shown).not.toMatch(/data-field="animauxDetail"[^>]*hidden/);
    // Inside a group item, the condition reads the item's own answers.
    const group = renderFields([FIELDS[15]!], context({ responsables: [{ nom: 'A', autorite: 'true' }, { nom: 'B', autorite: 'false' }] }));
    expect(group).toMatch(/data-field="depuis" data-type="date" data-scope="responsables\[0\]\." data-visible-when="[^"]*">/);
    expect(group).toMatch(/data-field="depuis" data-type="date" data-scope="responsables\[1\]\." data-visible-when="[^"]*" hidden>/);
  });

  it('evaluates conditions on answers from other pages as the validator types them', () => {
    const later: Field[] = [{ type: 'text', name: 'detail', label: 'Détail', visibleWhen: { all: [{ field: 'animaux', op: 'eq', value: true }, { field: 'nombre', op: 'gte', value: 3 }] } }];
    const shown = renderFields(later, context({ animaux: 'true', nombre: '3' }));
    expect(shown).not.toMatch(/data-field="detail"[^>]*hidden/);
    expect(shown).toContain('data-outer-values="{&quot;animaux&quot;:true,&quot;nombre&quot;:3}"');
    expect(renderFields(later, context({ animaux: 'true', nombre: '2' }))).toMatch(/data-field="detail"[^>]*hidden/);
    expect(renderFields(later, context({}))).toMatch(/data-field="detail"[^>]*hidden/);
  });
});

describe('reading a posted form', () => {
  const ids = MEMBERS.map((m) => String(m.id));

  it('round-trips every field type: rendered values, posted back, accepted by the validator', () => {
    const html = renderFields(FIELDS, context(ANSWERS));
    const body = postedBody(html);
    const values = readPostedValues(FIELDS, body);
    const result = validateSubmission(FORM, values, { hiddenFields: 'drop', householdMemberIds: ids });
    expect(result).toEqual({ ok: true, value: NORMALISED });
    // Rendering what was read gives the same form again.
    expect(renderFields(FIELDS, context(values))).toBe(html);
  });

  it('round-trips an empty form to the validator’s required errors, never to a crash', () => {
    const values = readPostedValues(FIELDS, postedBody(renderFields(FIELDS, context({}))));
    const result = validateSubmission(FORM, values, { hiddenFields: 'drop', householdMemberIds: ids });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(['prenom', 'responsables[0].nom', 'urgence']);
  });

  it('keeps a place typed without a map, and drops the answer of a hidden field', () => {
    const body = { prenom: 'Léa', urgence: 'b', animaux: 'false', animauxDetail: 'reste du brouillon', 'lieu.address': 'Au coin de la rue', 'lieu.lat': '', 'lieu.lon': '', 'responsables[0].__element': '1', 'responsables[0].nom': 'X' };
    const result = validateSubmission(FORM, readPostedValues(FIELDS, body), { hiddenFields: 'drop' });
    expect(result.ok && result.value).toEqual({ prenom: 'Léa', urgence: 'b', animaux: false, lieu: { address: 'Au coin de la rue' }, responsables: [{ nom: 'X' }] });
  });

  it('reads odd bodies without throwing: lists for one value, missing parts, prototype keys, sparse group indices', () => {
    const body = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "x"}') as Record<string, unknown>;
    Object.assign(body, {
      prenom: ['Léa', 'Zoé'],
      nombre: { value: 3 },
      jours: 'a',
      'adresse.postcode': '80000',
      'adresse.__proto__': 'x',
      'responsables[7].nom': 'Sept',
      'responsables[2].nom': 'Deux',
      'responsables[x].nom': 'ignored',
      'responsables[99999].nom': 'too many digits',
      photo: ['bad id with spaces', 'upload_photo1'],
      description: 'x'.repeat(50_000),
    });
    const values = readPostedValues(FIELDS, body);
    expect(values['prenom']).toBe('Léa');
    expect(values['nombre']).toBe('');
    expect(values['jours']).toEqual(['a']);
    expect(values['adresse']).toEqual({ postcode: '80000' });
    expect(values['responsables']).toEqual([{ nom: 'Deux' }, { nom: 'Sept' }]);
    expect(values['photo']).toEqual(['upload_photo1']);
    expect(Object.keys(values)).not.toContain('__proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const result = validateSubmission(FORM, values, { hiddenFields: 'drop' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['description', 'adresse.line1', 'urgence']));
    expect(readPostedValues(FIELDS, null as unknown as Record<string, unknown>)).toEqual({});
    expect(readPostedValues(null as unknown as Field[], {})).toEqual({});
  });

  it('leaves out the fields absent from the body', () => {
    expect(readPostedValues(FIELDS, { prenom: 'Léa', _csrf: 'x', _nav: 'next', inconnu: 'y' })).toEqual({ prenom: 'Léa' });
  });

  it('reads the files to remove and the safe documents picked, top level and in group items', () => {
    const body = {
      'photo.__retirer': ['upload_photo1', '../etc/passwd'],
      'photo.__coffre': ['7', '7', 'x', '-1'],
      'responsables[0].__element': '1',
      'responsables[1].__element': '1',
      'responsables[1].justificatif.__coffre': '8',
    };
    expect(readFileActions(FIELDS, body)).toEqual([
      { path: 'photo', vaultIds: [7], removeIds: ['upload_photo1'] },
      { path: 'responsables[0].justificatif', vaultIds: [], removeIds: [] },
      { path: 'responsables[1].justificatif', vaultIds: [8], removeIds: [] },
    ]);
    expect(readFileActions(FIELDS, {})).toEqual([{ path: 'photo', vaultIds: [], removeIds: [] }]);
    expect(fileInputName('responsables[0].justificatif')).toBe('responsables[0].justificatif.__fichier');
  });
});

describe('group actions', () => {
  const group = FIELDS[15]!;

  it('adds an item up to the maximum, and removes one down to the minimum', () => {
    const one = applyGroupAction([group], { autre: 'gardé' }, 'add:responsables');
    expect(one).toEqual({ autre: 'gardé', responsables: [{}, {}] });
    expect(applyGroupAction([group], one!, 'add:responsables')).toBeNull();
    const removed = applyGroupAction([group], { responsables: [{ nom: 'A' }, { nom: 'B' }] }, 'remove:responsables[0]');
    expect(removed).toEqual({ responsables: [{ nom: 'B' }] });
    expect(applyGroupAction([group], removed!, 'remove:responsables[0]')).toBeNull();
    expect(applyGroupAction([group], { responsables: [{ nom: 'A' }, { nom: 'B' }] }, 'remove:responsables[5]')).toBeNull();
  });

  it('refuses actions naming no group of the page, or malformed', () => {
    for (const action of ['add:prenom', 'add:inconnu', 'remove:responsables', 'remove:responsables[-1]', 'add:__proto__', 'supprimer:responsables[0]', '']) {
      expect(applyGroupAction(FIELDS, { responsables: [{}, {}] }, action), action).toBeNull();
    }
  });

  it('counts a group with no answer yet as its minimum of empty items', () => {
    const unbounded: Field = { type: 'group', name: 'enfants', label: 'Enfant', fields: [{ type: 'text', name: 'prenom', label: 'Prénom' }] };
    expect(applyGroupAction([unbounded], {}, 'add:enfants')).toEqual({ enfants: [{}] });
    expect(applyGroupAction([unbounded], { enfants: 'not a list' }, 'add:enfants')).toEqual({ enfants: [{}] });
    expect(applyGroupAction([unbounded], {}, 'remove:enfants[0]')).toBeNull();
  });
});

describe('answer list', () => {
  it('shows labels and human values', () => {
    const html = render(h(AnswerList, { fields: FIELDS, values: NORMALISED, context: context() }));
    expect(html.startsWith('<dl class="answers">')).toBe(true);
    const pairs: [string, string][] = [
      ['Prénom', 'Léa'],
      ['Téléphone', '06 12 34 56 78'],
      ['Nombre de personnes', '3'],
      ['Date de naissance', '12 avril 1990'],
      ['Catégorie', 'Option B'],
      ['Urgence', 'Option A'],
      ['Jours', '<ul class="answer-list"><li>Option A</li><li>Option C</li></ul>'],
      ['Avez-vous des animaux ?', 'Oui'],
      ['Adresse', '8 boulevard du Port<br/>Bâtiment B<br/>80000 Amiens'],
      ['Enfant concerné', 'Zoé Martin'],
    ];
    for (const [label, value] of pairs) expect(html).toContain(`<dt>${label}</dt><dd>${value}</dd>`);
    expect(html).toContain('Devant la mairie<br/>Point sur la carte : latitude 49.894, longitude 2.2957');
    expect(html).toContain('<li>trottoir.jpg (2,3 Mo)</li><li>lampadaire.png (293 ko)</li>');
    expect(html).toMatch(/<p class="answer-item-title">Responsable 1<\/p><dl class="answers answers--nested">[\s\S]*<dt>Depuis le<\/dt><dd>1er janvier 2020<\/dd>[\s\S]*jugement\.pdf/);
    expect(html).toContain('Le lampadaire\nest cassé « depuis » &lt;lundi> &amp; mardi');
  });

  it('reads raw draft answers too, says what was not given and leaves hidden fields out', () => {
    const html = render(h(AnswerList, { fields: FIELDS, values: { prenom: 'Léa', animaux: 'false', animauxDetail: 'oublié', dateNaissance: '12/04/1990', responsables: [{ nom: 'B', autorite: 'false', depuis: '2020-01-01' }] }, context: context() }));
    expect(html).toContain('<dt>Avez-vous des animaux ?</dt><dd>Non</dd>');
    expect(html).toContain('<dt>Date de naissance</dt><dd>12 avril 1990</dd>');
    expect(html).toContain('<dt>Email</dt>'.replace('Email', 'Adresse électronique'));
    expect(html).toContain('<span class="answer-none">Non renseigné</span>');
    expect(html).not.toContain('Lesquels ?');
    expect(html).not.toContain('oublié');
    expect(html).not.toContain('Depuis le');
  });
});

// ---- The address proxy, against a local HTTP server standing in for the BAN. ----

let ban: http.Server;
let banUrl: string;
const banRequests: URL[] = [];

function feature(id: string, name: string, postcode: string, city: string) {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [2.29, 49.89] }, properties: { id, name, postcode, city, label: `${name} ${postcode} ${city}`, score: 0.9 } };
}

beforeAll(async () => {
  ban = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://ban.test');
    banRequests.push(url);
    const q = url.searchParams.get('q') ?? '';
    if (q.includes('panne')) {
      response.writeHead(502).end('Bad gateway');
    } else if (q.includes('lent')) {
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"features":[]}'), 4000).unref();
    } else if (q.includes('bizarre')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"features":[{"properties":{"label":"incomplet"}}, 12, null]}');
    } else if (url.pathname === '/search/') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        type: 'FeatureCollection',
        features: [feature('80021_6590_00008', '8 Boulevard du Port', '80000', 'Amiens'), feature('80021_6590_00010', '10 Boulevard du Port', '80000', 'Amiens')],
      }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => ban.listen(0, '127.0.0.1', resolve));
  // A self-hosted BAN on 127.0.0.1: the apps below allowlist it (refused by default, see security-ssrf.test.ts).
  banUrl = `http://127.0.0.1:${(ban.address() as AddressInfo).port}`;
});
afterAll(async () => {
  ban.closeAllConnections();
  await new Promise((resolve) => ban.close(resolve));
});

describe('address suggestions proxy', () => {
  let db: Db;
  let app: App;
  let bare: App;
  beforeAll(async () => {
    db = await freshDb();
    app = await testApp(db, { ADDRESS_API_URL: banUrl, OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' });
    bare = await testApp(db);
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await bare.close();
    await db.close();
  });

  it('returns the BAN’s suggestions, asking for five at most', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/adresses?q=${encodeURIComponent('8 bd du port amiens')}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { label: '8 Boulevard du Port 80000 Amiens', line1: '8 Boulevard du Port', postcode: '80000', city: 'Amiens', banId: '80021_6590_00008' },
        { label: '10 Boulevard du Port 80000 Amiens', line1: '10 Boulevard du Port', postcode: '80000', city: 'Amiens', banId: '80021_6590_00010' },
      ],
    });
    const asked = banRequests.at(-1)!;
    expect(asked.pathname).toBe('/search/');
    expect(asked.searchParams.get('q')).toBe('8 bd du port amiens');
    expect(asked.searchParams.get('limit')).toBe('5');
  });

  it('answers an empty list for short queries without asking the BAN', async () => {
    const before = banRequests.length;
    const res = await app.inject({ method: 'GET', url: '/api/v1/adresses?q=ab' });
    expect(res.json()).toEqual({ items: [] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/adresses' })).json()).toEqual({ items: [] });
    expect(banRequests.length).toBe(before);
  });

  it('answers an empty list when the BAN fails, answers nonsense or is too slow (3 s)', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/adresses?q=panne' })).json()).toEqual({ items: [] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/adresses?q=bizarre' })).json()).toEqual({ items: [] });
    const started = Date.now();
    const slow = await app.inject({ method: 'GET', url: '/api/v1/adresses?q=lent' });
    expect(slow.statusCode).toBe(200);
    expect(slow.json()).toEqual({ items: [] });
    expect(Date.now() - started).toBeLessThan(3900);
  }, 10_000);

  it('refuses queries over 200 characters, and is not found when no address API is configured', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/v1/adresses?q=${'a'.repeat(201)}` })).statusCode).toBe(422);
    const res = await bare.inject({ method: 'GET', url: '/api/v1/adresses?q=8+bd+du+port' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

// ---- A static page of every field type in Chromium: axe-core, with and without JavaScript, keyboard. ----

const ERRORS: Record<string, string> = {
  prenom: 'Ce champ est obligatoire.', urgence: 'Choisissez une urgence.', jours: 'Cochez au moins une case.',
  'adresse.postcode': 'Saisissez un code postal valide de 5 chiffres, par exemple 75001.', lieu: 'Ce champ est obligatoire.',
  photo: 'Le fichier dépasse la taille maximale.', enfant: 'Choisissez une personne de votre foyer.', 'responsables[0].nom': 'Ce champ est obligatoire.',
};

function staticPage(ctx: FieldRenderContext, title: string, enctype = 'multipart/form-data'): string {
  const errors = [...ctx.errors].map(([path, message]) => `<li><a href="#${inputIdOf(path)}">${message}</a></li>`).join('');
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/assets/guichet.css"><link rel="stylesheet" href="/assets/portal.css"><script src="/assets/portal.js" defer></script></head>
<body><main id="contenu"><h1>${title}</h1>${errors ? `<div class="error-summary" role="alert"><h2>Le formulaire contient des erreurs</h2><ul>${errors}</ul></div>` : ''}
<p class="hint">Les champs sont obligatoires sauf mention contraire.</p>
<form method="post" action="/essai-envoi" enctype="${enctype}" novalidate>${renderFields(FIELDS, ctx)}
<button type="submit" name="_nav" value="next">Continuer</button></form></main></body></html>`;
}

describe('the HTML of every field type', () => {
  it('is valid for the Nu Html Checker, in the normal and error states, and so is the answer list', async () => {
    const pages = [
      { name: 'normal', html: staticPage(context(ANSWERS), 'Essai des champs') },
      { name: 'vide', html: staticPage(context({}, {}, { vault: [], householdMembers: [] }), 'Essai des champs') },
      { name: 'erreurs', html: staticPage(context({}, ERRORS), 'Erreur — Essai des champs') },
      {
        name: 'réponses',
        html: `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Vos réponses</title></head><body><main><h1>Vos réponses</h1>${render(h(AnswerList, { fields: FIELDS, values: NORMALISED, context: context() }))}</main></body></html>`,
      },
    ];
    const errors = await validateHtml(pages);
    if (!validatorAvailable) expect(errors).toBeNull();
    else expect(Object.fromEntries(errors!)).toEqual({ normal: [], vide: [], erreurs: [], réponses: [] });
  }, 60_000);
});

describe.skipIf(!browserAvailable)('every field type in Chromium', () => {
  let db: Db;
  let app: App;
  let base: string;
  let browser: Browser;
  const tileRequests: string[] = [];

  beforeAll(async () => {
    db = await freshDb();
    app = await testApp(db, { ADDRESS_API_URL: banUrl, OUTBOUND_ALLOWED_CIDRS: '127.0.0.1/32' });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  /** Opens the static page on the app's origin (so /assets and /api/v1/adresses are the real ones). */
  async function open(ctx: FieldRenderContext, javaScriptEnabled = true, title = 'Essai des champs', withScript = true, options: BrowserContextOptions = {}): Promise<Page> {
    // The portal's service worker would answer later navigations itself, out of reach of page.route.
    const context = await browser.newContext({ javaScriptEnabled, locale: 'fr-FR', serviceWorkers: 'block', ...options });
    const page = await context.newPage();
    // The page as a browser without JavaScript shows it, with axe-core still able to run.
    if (!withScript) await page.route(`${base}/assets/portal.js`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
    await page.route(`${base}/essai-champs`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: staticPage(ctx, title) }));
    await page.route('https://tuiles.example/**', (route) => { tileRequests.push(route.request().url()); return route.fulfill({ status: 404, body: '' }); });
    await page.goto(`${base}/essai-champs`);
    return page;
  }

  for (const javaScriptEnabled of [true, false]) {
    it(`has no axe-core violation in the normal and error states, ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      for (const [ctx, title] of [[context(ANSWERS), 'Essai des champs'], [context({}, ERRORS), 'Erreur — Essai des champs']] as const) {
        const page = await open(ctx, true, title, javaScriptEnabled);
        expect(await axeViolations(page), title).toEqual([]);
        await page.context().close();
      }
    }, 60_000);
  }

  it('shows the map controls only with JavaScript, and loads Leaflet only when the map is asked for', async () => {
    const noJs = await open(context({}), false);
    expect(await noJs.isVisible('text=Situer sur une carte')).toBe(false);
    // No promise the page cannot keep without JavaScript.
    expect(await noJs.textContent('#champ-lieu-hint')).not.toContain('carte');
    expect(await noJs.textContent('#champ-adresse-hint')).not.toContain('suggestions');
    await noJs.context().close();

    const page = await open(context({}));
    const missing: string[] = [];
    page.on('response', (response) => { if (response.url().startsWith(base) && response.status() >= 400) missing.push(response.url()); });
    const scripts = () => page.evaluate(() => Array.from(document.scripts).map((s) => s.src).concat(Array.from(document.querySelectorAll('link[rel=stylesheet]')).map((l) => (l as HTMLLinkElement).href)));
    expect((await scripts()).some((src) => src.includes('leaflet'))).toBe(false);
    expect(await page.evaluate(() => 'L' in window)).toBe(false);
    await page.getByRole('button', { name: 'Situer sur une carte' }).click();
    await page.waitForFunction(() => 'L' in window);
    expect((await scripts()).filter((src) => src.includes('/assets/vendor/leaflet'))).toHaveLength(2);
    const canvas = page.locator('[data-map-canvas]');
    await canvas.waitFor({ state: 'visible' });
    await canvas.click({ position: { x: 150, y: 120 } });
    const lat = Number(await page.inputValue('input[name="lieu.lat"]'));
    const lon = Number(await page.inputValue('input[name="lieu.lon"]'));
    expect(Math.abs(lat)).toBeLessThanOrEqual(90);
    expect(lat).not.toBe(0);
    expect(Math.abs(lon)).toBeLessThanOrEqual(180);
    await expect.poll(() => page.textContent('[data-map-status]')).toContain('Point placé');
    await expect.poll(() => tileRequests.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Retirer le point' }).click();
    expect(await page.inputValue('input[name="lieu.lat"]')).toBe('');
    // Keyboard: focus the map, pan with an arrow, Enter places the point at the centre.
    await canvas.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.inputValue('input[name="lieu.lat"]')).not.toBe('');
    await expect.poll(() => page.textContent('[data-map-status]')).toContain('Point placé au centre de la carte');
    expect(await axeViolations(page)).toEqual([]);
    expect(missing).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('posts, without JavaScript, a body that reads back to the validated answers', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.route(`${base}/essai-champs`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: staticPage(context_(ANSWERS), 'Essai des champs', 'application/x-www-form-urlencoded') }));
    let posted = '';
    await page.route(`${base}/essai-envoi`, (route) => {
      posted = route.request().postData() ?? '';
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Reçu</title>' });
    });
    await page.goto(`${base}/essai-champs`);
    await page.fill('#champ-prenom', 'Zoé');
    await page.check('#champ-urgence-3');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL(`${base}/essai-envoi`);
    const body: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(posted)) {
      const current = body[key];
      body[key] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
    }
    const result = validateSubmission(FORM, readPostedValues(FIELDS, body), { hiddenFields: 'drop', householdMemberIds: ['1', '2'] });
    expect(result).toEqual({ ok: true, value: { ...NORMALISED, prenom: 'Zoé', urgence: 'c' } });
    await context.close();
  }, 30_000);

  it('fills the coordinates from the device’s position without loading the map', async () => {
    const page = await open(context({}), true, 'Essai des champs', true, { geolocation: { latitude: 49.8941, longitude: 2.2958 }, permissions: ['geolocation'] });
    await page.getByRole('button', { name: 'Utiliser ma position' }).click();
    await expect.poll(() => page.inputValue('input[name="lieu.lat"]')).toBe('49.8941');
    expect(await page.inputValue('input[name="lieu.lon"]')).toBe('2.2958');
    expect(await page.textContent('[data-map-status]')).toBe('Point placé à votre position : latitude 49,8941, longitude 2,2958.');
    expect(await page.evaluate(() => 'L' in window)).toBe(false);
    await page.context().close();
  }, 30_000);

  it('decides like the server which conditional fields show, for every operator (client port of conditions.ts)', async () => {
    const drivers: Field[] = [
      { type: 'number', name: 'n', label: 'Nombre' },
      { type: 'date', name: 'd', label: 'Date' },
      { type: 'checkboxes', name: 'c', label: 'Cases', options: OPTIONS },
      { type: 'yesno', name: 'y', label: 'Oui ou non' },
      { type: 'text', name: 't', label: 'Texte' },
      { type: 'select', name: 's', label: 'Liste', options: OPTIONS },
    ];
    const conditions: Field['visibleWhen'][] = [
      { field: 'n', op: 'gt', value: 3 }, { field: 'n', op: 'lte', value: 3 }, { field: 'n', op: 'gte', value: 2.5 }, { field: 'n', op: 'lt', value: 0 },
      { field: 'd', op: 'gte', value: '2026-01-01' }, { field: 'd', op: 'lt', value: '2026-01-01' },
      { field: 'c', op: 'contains', value: 'b' }, { field: 'c', op: 'eq', value: ['c', 'a'] }, { field: 'c', op: 'in', value: ['c'] }, { field: 'c', op: 'empty' },
      { field: 'y', op: 'eq', value: false }, { field: 'y', op: 'neq', value: true }, { field: 'y', op: 'filled' },
      { field: 't', op: 'contains', value: 'chat' }, { field: 't', op: 'notIn', value: ['chien'] },
      { field: 's', op: 'in', value: ['a', 'b'] },
      { all: [{ field: 'n', op: 'filled' }, { not: { field: 's', op: 'eq', value: 'c' } }] },
      { any: [{ field: 'y', op: 'eq', value: true }, { field: 'autrePage', op: 'eq', value: true }] },
      { field: 'n', op: 'bogus' } as never,
    ];
    const fields: Field[] = [...drivers, ...conditions.map((visibleWhen, i): Field => ({ type: 'text', name: `cible${i}`, label: `Cible ${i}`, visibleWhen }))];
    const scenarios: Record<string, unknown>[] = [
      {},
      { n: '4', d: '2026-03-01', c: ['a', 'c'], y: 'false', t: 'un chat', s: 'b' },
      { n: '2,5', d: '2025-12-31', c: ['b'], y: 'true', t: 'chien', s: 'c', autrePage: 'true' },
      { n: '-1', c: ['c'], y: 'false', t: 'x', autrePage: 'false' },
      { n: 'pas un nombre', d: '12/02/2026', s: 'a' },
    ];
    const page = await open(context({}));
    let current = '';
    await page.route(`${base}/essai-conditions/*`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: `<!doctype html><html lang="fr"><head><title>Conditions</title><script src="/assets/portal.js" defer></script></head><body><main><h1>Conditions</h1><form method="post">${current}</form></main></body></html>` }));
    for (const [index, values] of scenarios.entries()) {
      const html = renderFields(fields, context(values));
      const serverHidden = [...html.matchAll(/data-field="(cible\d+)"[^>]*hidden>/g)].map((m) => m[1]);
      // Every target shown at first: the client alone must hide the right ones.
      current = html.replace(/(data-field="cible\d+"[^>]*) hidden>/g, '$1>');
      await page.goto(`${base}/essai-conditions/${index}`);
      // The client re-decides on load from the inputs, without the server's help.
      const clientHidden = await page.evaluate(() => Array.from(document.querySelectorAll('[data-field^="cible"]')).filter((el) => (el as HTMLElement).hidden).map((el) => el.getAttribute('data-field')));
      expect(clientHidden, JSON.stringify(values)).toEqual(serverHidden);
    }
    expect(renderFields(fields, context(scenarios[1]!))).not.toMatch(/data-field="cible0"[^>]*hidden>/);
    await page.context().close();
  }, 60_000);

  it('fits a 320 px wide screen without horizontal scrolling, in the error state too', async () => {
    for (const ctx of [context(ANSWERS), context({}, ERRORS)]) {
      const page = await open(ctx, true, 'Essai des champs', true, { viewport: { width: 320, height: 640 } });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await page.context().close();
    }
  }, 30_000);

  it('counts the characters left in a long text', async () => {
    const page = await open(context({}));
    expect(await page.textContent('.form-count')).toMatch(/^Il vous reste 2\s000 caractères\.$/);
    await page.fill('#champ-description', 'Bonjour');
    expect(await page.textContent('.form-count')).toMatch(/^Il vous reste 1\s993 caractères\.$/);
    await expect.poll(() => page.textContent('.form-count + [aria-live="polite"]'), { timeout: 3000 }).toMatch(/1\s993/);
    await page.context().close();
  }, 30_000);

  it('reveals a conditional field as soon as its condition holds, and hides it again', async () => {
    const page = await open(context({}));
    const detail = page.locator('[data-field="animauxDetail"]');
    expect(await detail.isHidden()).toBe(true);
    await page.check('#champ-animaux');
    expect(await detail.isVisible()).toBe(true);
    await page.check('#champ-animaux-2');
    expect(await detail.isHidden()).toBe(true);
    // In a group item, the condition reads that item only.
    await page.check('#champ-responsables-0-autorite');
    expect(await page.locator('[data-field="depuis"][data-scope="responsables[0]."]').isVisible()).toBe(true);
    await page.context().close();
  }, 30_000);

  it('completes an address with the keyboard alone: arrows, Enter, Escape, results announced', async () => {
    const page = await open(context({}));
    const line1 = page.locator('#champ-adresse');
    expect(await line1.getAttribute('role')).toBe('combobox');
    expect(await page.textContent('#champ-adresse-hint')).toBe('Par exemple : 12 rue de la Paix. Des suggestions s’affichent pendant la saisie.');
    expect(await page.textContent('#champ-lieu-hint')).toContain('Vous pouvez aussi situer le lieu sur une carte.');
    expect(await line1.getAttribute('aria-expanded')).toBe('false');
    await line1.focus();
    await page.keyboard.type('8 bd du port', { delay: 20 });
    const listbox = page.getByRole('listbox', { name: 'Adresses suggérées' });
    await listbox.waitFor({ state: 'visible' });
    expect(await line1.getAttribute('aria-expanded')).toBe('true');
    expect(await listbox.getByRole('option').count()).toBe(2);
    await expect.poll(() => page.locator('.form-combobox [aria-live="polite"]').textContent()).toContain('2 adresses suggérées');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const active = await line1.getAttribute('aria-activedescendant');
    expect(await page.locator(`#${active}`).textContent()).toBe('10 Boulevard du Port 80000 Amiens');
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    expect(page.url()).toBe(`${base}/essai-champs`); // Enter chose, it did not submit
    expect(await line1.inputValue()).toBe('10 Boulevard du Port');
    expect(await page.inputValue('#champ-adresse-postcode')).toBe('80000');
    expect(await page.inputValue('#champ-adresse-city')).toBe('Amiens');
    expect(await page.inputValue('input[name="adresse.banId"]')).toBe('80021_6590_00010');
    expect(await listbox.isHidden()).toBe(true);
    // Typing again forgets the BAN id; Escape closes the list and keeps the text.
    await page.keyboard.type(' bis', { delay: 20 });
    expect(await page.inputValue('input[name="adresse.banId"]')).toBe('');
    await listbox.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    expect(await listbox.isHidden()).toBe(true);
    expect(await line1.getAttribute('aria-expanded')).toBe('false');
    expect(await line1.inputValue()).toBe('10 Boulevard du Port bis');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 30_000);
});

if (!browserAvailable) console.warn(browserSkipReason);
