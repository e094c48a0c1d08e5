/**
 * GeoReport v2 documents in both formats. JSON is the spec's plain arrays and objects; XML wraps
 * lists in a root element with one child per item (`<services><service>…`), which is the only
 * difference, so each document is built once as data and `xmlTree` adds the element names.
 */
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'xml' | 'json';

export const FORMATS: readonly Format[] = ['xml', 'json'];

export const CONTENT_TYPES: Record<Format, string> = {
  xml: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** An error in the spec's own format: a list of {code, description}, code being the HTTP status. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 500,
    readonly descriptions: string[],
  ) {
    super(descriptions.join(' '));
  }
}

/** A document: its JSON value, and for XML the root element and the element of each list item. */
export interface Document {
  json: unknown;
  root: string;
  item?: string;
}

/** Names of the elements that wrap the items of nested lists (attributes, values, endpoints, formats). */
const NESTED_ITEMS: Record<string, string> = {
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false, processEntities: true });

/** Nulls become empty elements; nested lists get their item element; booleans are spelt true/false. */
function xmlValue(value: unknown, key?: string): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const item = key ? NESTED_ITEMS[key] : undefined;
    return item ? { [item]: value.map((v) => xmlValue(v)) } : value.map((v) => xmlValue(v));
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, xmlValue(v, k)]));
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value;
}

export function xmlTree(doc: Document): Record<string, unknown> {
  const body = doc.item ? { [doc.item]: (doc.json as unknown[]).map((v) => xmlValue(v)) } : xmlValue(doc.json);
  return { [doc.root]: body };
}

/** The document's text in the asked format. */
export function serialise(format: Format, doc: Document): string {
  if (format === 'json') return JSON.stringify(doc.json);
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build(xmlTree(doc)) as string}`;
}

/** An error document: `<errors><error><code>403</code><description>…` or `[{"code":403,…}]`. */
export function errorDocument(error: Open311Error): Document {
  return { json: error.descriptions.map((description) => ({ code: error.status, description })), root: 'errors', item: 'error' };
}
