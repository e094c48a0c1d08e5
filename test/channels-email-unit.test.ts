/** The e-mail channel's pure rules: machine detection, reply tokens, names, Message-IDs, HTML. */
import { describe, expect, it } from 'vitest';
import { applicationJobTypes } from '../src/jobs/catalogue.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { namesOf, newTextOf, sanitiseHtml } from '../src/channels/email/content.js';
import { classifyMachine, MAX_RECEIVED, readBounce } from '../src/channels/email/machine.js';
import { addressOf, addressWords, normaliseMessageId, readHeaders } from '../src/channels/email/receive.js';
import { messageIdOfReplyAddress, replyAddress } from '../src/channels/email/reply-token.js';

const headers = (lines: string[]) => readHeaders(Buffer.from(`${lines.join('\r\n')}\r\n\r\nCorps`));
const base = ['From: Claire <claire@example.org>', 'To: mairie@ville.fr', 'Message-ID: <abc@Example.ORG>'];

describe('machine detection', () => {
  it('lets a person’s mail through, even with « absence » in its subject', () => {
    expect(classifyMachine(headers([...base, 'Subject: Absence de ramassage rue Haute']), 'claire@example.org', ['ville.fr'])).toBeNull();
    expect(classifyMachine(headers([...base, 'Subject: Réponse automatique']), 'claire@example.org', ['ville.fr'])).toBeNull();
    expect(classifyMachine(headers([...base, 'Auto-Submitted: no']), 'claire@example.org', ['ville.fr'])).toBeNull();
  });

  it('recognises auto-replies by their headers', () => {
    for (const header of ['Auto-Submitted: auto-replied', 'Precedence: bulk', 'Precedence: junk', 'Precedence: list', 'X-Autoreply: yes', 'X-Autorespond: 1', 'X-Auto-Response-Suppress: All']) {
      expect(classifyMachine(headers([...base, header]), 'claire@example.org', ['ville.fr'])?.kind).toBe('auto_reply');
    }
    expect(classifyMachine(headers([...base, 'List-Id: <annonces.example.org>', 'Subject: Out of office']), 'x@example.org', [])?.kind).toBe('auto_reply');
  });

  it('recognises bounces and loops', () => {
    expect(classifyMachine(headers([...base, 'Content-Type: multipart/report; report-type=delivery-status; boundary=x']), '', [])?.kind).toBe('bounce');
    expect(classifyMachine(headers(['From: MAILER-DAEMON@mx.example.org', 'Message-ID: <b@mx.example.org>']), 'x@y.z', [])?.kind).toBe('bounce');
    expect(classifyMachine(headers(base), '', [])?.kind).toBe('bounce');
    expect(classifyMachine(headers([...base, 'X-Loop: mairie@ville.fr']), 'a@b.c', [])?.kind).toBe('loop');
    expect(classifyMachine(headers([...base, ...Array.from({ length: MAX_RECEIVED + 1 }, (_, i) => `Received: from relais${i}`)]), 'a@b.c', [])?.kind).toBe('loop');
    expect(classifyMachine(headers(['From: a@b.c', 'Message-ID: <guichet.4.2026-000001@guichet.ville.fr>']), 'a@b.c', ['guichet.ville.fr'])?.kind).toBe('loop');
    // A client that names itself « localhost » is not us.
    expect(classifyMachine(headers(['From: a@b.c', 'Message-ID: <123@localhost>']), 'a@b.c', ['localhost'])).toBeNull();
  });
});

describe('reply tokens', () => {
  const config = { SESSION_SECRET: 'un-secret-de-test-assez-long-pour-signer-les-jetons', DATA_DIR: '/nonexistent', REPLY_ADDRESS: 'mairie@ville.fr' };

  it('round-trips, survives lower-casing, and refuses a tampered id or signature', () => {
    const address = replyAddress(config, 42)!;
    expect(address).toMatch(/^mairie\+r-42-[0-9a-f]{20}@ville\.fr$/);
    expect(messageIdOfReplyAddress(config, address)).toBe(42);
    expect(messageIdOfReplyAddress(config, address.toUpperCase())).toBe(42);
    expect(messageIdOfReplyAddress(config, address.replace('+r-42-', '+r-43-'))).toBeNull();
    expect(messageIdOfReplyAddress(config, address.replace(/-([0-9a-f])([0-9a-f]{19})@/, (_m, c: string, rest: string) => `-${c === '0' ? '1' : '0'}${rest}@`))).toBeNull();
    expect(messageIdOfReplyAddress({ ...config, SESSION_SECRET: 'un-autre-secret-de-test-assez-long-pour-signer' }, address)).toBeNull();
    expect(replyAddress({ ...config, REPLY_ADDRESS: '' }, 42)).toBeNull();
  });
});

describe('reading an e-mail', () => {
  it('normalises Message-IDs and addresses', () => {
    expect(normaliseMessageId(' <Abc.Def@Example.ORG> ')).toBe('<Abc.Def@example.org>');
    expect(normaliseMessageId('')).toBeNull();
    expect(addressOf('"Martin, Claire" <Claire@Example.org>')).toBe('claire@example.org');
    expect(addressOf('<>')).toBeNull();
  });

  it('splits display names the French way when it can', () => {
    expect(namesOf('Claire Martin')).toEqual({ firstNames: 'Claire', lastName: 'Martin' });
    expect(namesOf('MARTIN Claire')).toEqual({ firstNames: 'Claire', lastName: 'MARTIN' });
    expect(namesOf('Martin, Claire')).toEqual({ firstNames: 'Claire', lastName: 'Martin' });
    expect(namesOf('claire')).toEqual({});
    expect(namesOf('claire@example.org')).toEqual({});
  });

  it('keeps only safe HTML and separates the quoted history', async () => {
    const html = sanitiseHtml('<p onclick="x()">Bonjour <a href="javascript:alert(1)">ici</a> <a href="https://ville.fr">là</a></p><style>p{}</style><iframe src="x"></iframe>');
    expect(html).toBe('<p>Bonjour <a rel="noopener noreferrer nofollow" target="_blank">ici</a> <a href="https://ville.fr" rel="noopener noreferrer nofollow" target="_blank">là</a></p>');
    expect(sanitiseHtml('<script>alert(1)</script>')).toBeNull();
    expect(await newTextOf('Merci, c’est noté.\n\nLe 3 mars 2026, Mairie <mairie@ville.fr> a écrit :\n> Votre demande est reçue.')).toEqual({ text: 'Merci, c’est noté.' });
  });
});

/** Milliseconds `work` takes. */
function timed(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

describe('header and report parsing in linear time (audit finding 4)', () => {
  // Each of these took seconds with the former /[^…]+@[^…]+/ and /^diagnostic-code:\s*(?:[^;]*;\s*)?(.+)$/im.
  it('finds addresses in a 200 KB header without backtracking', () => {
    const filler = 'a'.repeat(200_000);
    expect(timed(() => expect(addressOf(filler)).toBeNull())).toBeLessThan(200);
    expect(timed(() => expect(addressOf(`${filler} Claire@Example.org`)).toBe('claire@example.org'))).toBeLessThan(200);
    expect(timed(() => expect(addressWords(`${filler},${filler}`, /[\s<>",;]+/)).toEqual([]))).toBeLessThan(200);
    expect(addressOf('Claire Martin <claire@example.org>')).toBe('claire@example.org');
    expect(addressOf('claire@example.org')).toBe('claire@example.org');
    expect(addressWords('"Mairie" <mairie@ville.fr>, x@y.z; @nobody, someone@', /[\s<>",;]+/)).toEqual(['mairie@ville.fr', 'x@y.z']);
  });

  it('reads a crafted delivery report quickly, and a normal one as before', () => {
    const part = (text: string) => [{ contentType: 'message/delivery-status', content: Buffer.from(text) }];
    const crafted = `Diagnostic-Code:${'\n'.repeat(100_000)}Final-Recipient:${' '.repeat(100_000)}`;
    expect(timed(() => expect(readBounce(new Map(), part(crafted))).toMatchObject({ recipient: null, diagnostic: null }))).toBeLessThan(200);
    const report = 'Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; Perdu@Example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n';
    expect(readBounce(new Map(), part(report))).toMatchObject({ recipient: 'perdu@example.org', diagnostic: '550 5.1.1 User unknown' });
    expect(readBounce(new Map(), part('Final-Recipient: rfc822; a@b.c\nStatus: 5.2.2 (boîte pleine)\n'))).toMatchObject({ recipient: 'a@b.c', diagnostic: '5.2.2' });
  });
});

describe('the processing job', () => {
  it('is declared, so a worker accepts the jobs the receipt queues', () => {
    expect(new JobRegistry(applicationJobTypes()).get('channel.email.process')).toMatchObject({ maxAttempts: 8 });
  });
});
