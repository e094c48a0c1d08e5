/**
 * The one check of every "come back here afterwards" value (`retour`, a sign-in flow's return
 * path, the page a session-less request wanted): a same-origin PATH, never a URL. Browsers are
 * lenient about what they treat as another site (`//evil`, `/\evil`, `/<TAB>/evil` are all
 * "https://evil"), so the value is parsed the way a browser would and refused on any doubt.
 */

/** An origin no request can have: relative paths are resolved against it, then compared. */
const BASE = new URL('http://guichet.invalid/');

/** Longer values are never legitimate and would only bloat the sign-in forms. */
const MAX_LENGTH = 500;

/** Whitespace (ASCII and Unicode) and control characters: browsers strip or fold them in URLs. */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTER = /[\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/u;

/** The same, but a decoded plain space is a normal part of a search (`?q=jean%20dupont`). */
// eslint-disable-next-line no-control-regex
const UNSAFE_DECODED = /[\t\n\v\f\r\u0000-\u001f\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/u;

export interface ReturnPathRules {
  /** Where to go when the value is missing or refused. */
  fallback: string;
  /** The section the path must stay in (`/backoffice`); the whole site by default. */
  within?: string;
}

/**
 * `candidate` as a normalised same-origin path (path, query, fragment), or `rules.fallback`.
 * Refused: anything not a string, not starting with "/", holding "//" or a backslash,
 * whitespace or a control character (also once percent-decoded), resolving to another origin, or
 * leaving `rules.within`. The result is safe in a Location header and in an HTML attribute.
 */
export function safePath(candidate: unknown, rules: ReturnPathRules): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_LENGTH) return rules.fallback;
  if (!looksLocal(candidate, UNSAFE_CHARACTER)) return rules.fallback;
  // Percent-decoding must not reveal what the raw value hides (`/%2F%09%2Fevil`); decode until stable.
  let decoded = candidate;
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return rules.fallback;
    }
    if (next === decoded) break;
    if (!looksLocal(next, UNSAFE_DECODED)) return rules.fallback;
    decoded = next;
  }
  let url: URL;
  try {
    url = new URL(candidate, BASE);
  } catch {
    return rules.fallback;
  }
  if (url.origin !== BASE.origin) return rules.fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Checked after normalisation, so that `/backoffice/../admin` does not count as a back-office path.
  const within = rules.within;
  if (within && url.pathname !== within && !url.pathname.startsWith(`${within}/`)) return rules.fallback;
  if (path.startsWith('//') || path.length > MAX_LENGTH) return rules.fallback;
  return path;
}

/**
 * One "/" at the start, no "//" anywhere (no legitimate path of ours has one, and refusing it
 * everywhere leaves no doubt about where an authority could begin), no backslash, no unsafe character.
 */
function looksLocal(value: string, unsafe: RegExp): boolean {
  return value.startsWith('/') && !value.includes('//') && !value.includes('\\') && !unsafe.test(value);
}
