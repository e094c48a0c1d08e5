import { describe, expect, it } from 'vitest';
import { MASK, withoutContacts } from './redact.js';

describe('withoutContacts', () => {
  it('masks e-mail addresses and French phone numbers in every usual spelling', () => {
    const text = 'Rappelez-moi au 06 11 22 33 44, au 0611223344 ou au +33 1 23 45 67 89, ou écrivez à jeanne.dupont@example.fr.';
    const masked = withoutContacts(text);
    expect(masked).toBe(`Rappelez-moi au ${MASK}, au ${MASK} ou au ${MASK}, ou écrivez à ${MASK}`);
  });

  it('keeps house numbers, postcodes, dates and the rest of the text', () => {
    const text = 'Nid-de-poule devant le 12 rue des Tilleuls, 37000, depuis le 03/12/2026 : 40 cm de large.';
    expect(withoutContacts(text)).toBe(text);
  });

  it('stays linear on a long hostile text', () => {
    const hostile = `${'a@'.repeat(50_000)} ${'0'.repeat(100_000)}`;
    const started = performance.now();
    withoutContacts(hostile);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
