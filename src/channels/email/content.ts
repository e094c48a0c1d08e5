/**
 * What an agent reads of an e-mail: the new text apart from the quoted history, and the HTML only
 * through a strict allow-list (no script, no style, no remote images, links kept but inert).
 */
import sanitizeHtml from 'sanitize-html';
import { replyExtractor, type ExtractedReply } from './reply-extraction.js';

/** Formatting tags only; images and anything active are dropped. */
const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr'],
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
};

/** The message's HTML, safe to show (a strict allow-list); null when there is none. */
export function sanitiseHtml(html: string | false | undefined): string | null {
  if (!html) return null;
  const clean = sanitizeHtml(html, ALLOWED).trim();
  return clean === '' ? null : clean;
}

/**
 * The new text of a reply, without the quoted history and signature; the full text when nothing
 * else remains, or when the parser overran its time limit or failed (`unseparated` then says so).
 * The parser runs in a worker thread on a bounded input: see reply-extraction.ts.
 */
export function newTextOf(fullText: string): Promise<ExtractedReply> {
  return replyExtractor.extract(fullText);
}

/**
 * Names from a display name, when they can be told apart: « Claire Martin », « MARTIN Claire »
 * (the name in capitals, the French way), « Martin, Claire ». Nothing when it is a single word or
 * looks like an address or an organisation.
 */
export function namesOf(displayName: string | undefined): { firstNames?: string; lastName?: string } {
  const name = (displayName ?? '').replace(/["']/g, '').trim();
  if (!name || name.includes('@') || name.length > 120) return {};
  if (name.includes(',')) {
    const [last, first] = name.split(',').map((s) => s.trim());
    return last && first ? { firstNames: first, lastName: last } : {};
  }
  const words = name.split(/\s+/);
  if (words.length < 2 || words.length > 5) return {};
  const capitals = words.filter((w) => w.length > 1 && w === w.toUpperCase() && /\p{L}/u.test(w));
  if (capitals.length > 0 && capitals.length < words.length) {
    return { lastName: capitals.join(' '), firstNames: words.filter((w) => !capitals.includes(w)).join(' ') };
  }
  return { firstNames: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}
