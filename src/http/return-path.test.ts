import { describe, expect, it } from 'vitest';
import { safePath } from './return-path.js';

const site = { fallback: '/' };
const backoffice = { fallback: '/backoffice', within: '/backoffice' };

describe('safePath (return paths after sign-in)', () => {
  it('keeps a local path, its query and fragment', () => {
    expect(safePath('/mes-demandes', site)).toBe('/mes-demandes');
    expect(safePath('/mes-demandes?page=2#liste', site)).toBe('/mes-demandes?page=2#liste');
    expect(safePath('/backoffice/dossiers?q=jean%20dupont', backoffice)).toBe('/backoffice/dossiers?q=jean%20dupont');
  });

  it.each([
    ['%2F%09%2Fevil.example decoded by the query string', '/\t/evil.example'],
    ['the same, still encoded', '/%09/evil.example'],
    ['protocol-relative', '//evil.example'],
    ['double slash further on', '/backoffice//evil.example'],
    ['backslash', '/\\evil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['encoded second slash', '/%2Fevil.example'],
    ['double-encoded second slash', '/%252Fevil.example'],
    ['absolute URL', 'https://evil.example'],
    ['header injection', '/\r\nSet-Cookie:x=y'],
    ['encoded header injection', '/%0d%0aSet-Cookie:x=y'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['newline', '/\n'],
    ['leading newline', '\n/mes-demandes'],
    ['no-break space', '/\u00a0/evil.example'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(600)}`],
  ])('refuses %s', (_label, value) => {
    expect(safePath(value, site)).toBe('/');
  });

  it('refuses what is not a string', () => {
    expect(safePath(undefined, site)).toBe('/');
    expect(safePath(['/a', '/b'], site)).toBe('/');
  });

  it('keeps a section path inside its section, after normalisation', () => {
    expect(safePath('/backoffice/mon-compte', backoffice)).toBe('/backoffice/mon-compte');
    expect(safePath('/backoffice/../admin', backoffice)).toBe('/backoffice');
    expect(safePath('/backofficex', backoffice)).toBe('/backoffice');
    expect(safePath('/mes-demandes', backoffice)).toBe('/backoffice');
  });

  it('returns a value safe in a header and an attribute', () => {
    expect(safePath('/a"b<c>', site)).toBe('/a%22b%3Cc%3E');
    expect(safePath('/démarches', site)).toBe('/d%C3%A9marches');
  });
});
