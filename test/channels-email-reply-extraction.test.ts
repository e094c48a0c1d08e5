/**
 * Reply extraction in its worker thread (src/channels/email/reply-extraction.ts), with the real
 * parser: a normal reply loses its quoted part, a crafted body that makes the parser backtrack
 * for minutes is given up at the time limit with its whole text kept — while this thread stays
 * free — and the next message gets a new worker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { newTextOf } from '../src/channels/email/content.js';
import { REPLY_PARSE_MAX_CHARS, ReplyExtractor } from '../src/channels/email/reply-extraction.js';

/** The audit's body: 3.2 KB that kept email-reply-parser busy for 22 s on the main thread. */
const REDOS = '1234from<'.repeat(350);
const REPLY = 'Merci, c’est noté.\n\nLe 3 mars 2026, Mairie <mairie@ville.fr> a écrit :\n> Votre demande est reçue.\n> Cordialement';

const extractors: ReplyExtractor[] = [];
function extractor(options: { timeoutMs?: number; maxChars?: number } = {}): ReplyExtractor {
  const created = new ReplyExtractor(options);
  extractors.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(extractors.map((e) => e.close()));
});

/** Runs `work` while measuring the longest gap between 10 ms ticks of this thread's event loop. */
async function withLoopLag<T>(work: () => Promise<T>): Promise<{ result: T; maxLagMs: number }> {
  let last = performance.now();
  let maxLagMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 10);
    last = now;
  }, 10);
  try {
    return { result: await work(), maxLagMs };
  } finally {
    clearInterval(tick);
  }
}

describe('reply extraction', () => {
  it('removes the quoted history of a normal reply', async () => {
    expect(await extractor().extract(REPLY)).toEqual({ text: 'Merci, c’est noté.' });
    expect(await extractor().extract('Bonjour,\r\n\r\nle trottoir est encombré.\r\n')).toEqual({ text: 'Bonjour,\n\nle trottoir est encombré.' });
    expect(await extractor().extract('  \n ')).toEqual({ text: '' });
    // The process-wide extractor, as the processing job uses it.
    expect(await newTextOf(REPLY)).toEqual({ text: 'Merci, c’est noté.' });
  });

  it('gives up the ReDoS body at the time limit, keeps it whole, and never blocks this thread', async () => {
    const reply = extractor({ timeoutMs: 500 });
    for (const body of [REDOS, '1234from<'.repeat(3000)]) {
      const started = performance.now();
      const { result, maxLagMs } = await withLoopLag(() => reply.extract(body));
      expect(result).toMatchObject({ text: body, unseparated: 'timeout' });
      // The parser alone would take from seconds (the first) to hours (the second).
      expect(performance.now() - started).toBeLessThan(5_000);
      // On this thread the parse would block it for seconds; the bound leaves room for a busy test machine.
      expect(maxLagMs).toBeLessThan(250);
    }
  });

  it('replaces the worker after a time-out: the message waiting behind it and the next ones are separated', async () => {
    const reply = extractor({ timeoutMs: 500 });
    const [attack, waiting] = await Promise.all([reply.extract(REDOS), reply.extract(REPLY)]);
    expect(attack.unseparated).toBe('timeout');
    expect(waiting).toEqual({ text: 'Merci, c’est noté.' });
    expect(await reply.extract(`Deuxième réponse.\n\n${REPLY.split('\n\n')[1]}`)).toEqual({ text: 'Deuxième réponse.' });
  });

  it('parses a long text by its head: history past the cut is dropped, new text past the cut is kept', async () => {
    const reply = extractor();
    const history = '> une ligne de l’historique cité, assez longue pour remplir la tête du texte\n'.repeat(1_000);
    const longReply = `Merci.\n\nLe 3 mars 2026, Mairie <mairie@ville.fr> a écrit :\n${history}`;
    expect(longReply.length).toBeGreaterThan(REPLY_PARSE_MAX_CHARS);
    expect(await reply.extract(longReply)).toEqual({ text: 'Merci.' });

    const prose = 'Une ligne du long texte nouveau écrit par l’usager, sans historique cité.\n'.repeat(1_000).trim();
    expect(await reply.extract(prose)).toEqual({ text: prose });

    // Inline quotes early, then new text running past the cut: nothing of the new text is lost.
    const inline = `> Votre question ?\nMa réponse.\n${prose}\nFin du message.`;
    const extracted = await reply.extract(inline);
    expect(extracted.text.startsWith('Ma réponse.')).toBe(true);
    expect(extracted.text.endsWith('Fin du message.')).toBe(true);
    expect(extracted.text.length).toBe(inline.length - '> Votre question ?\n'.length);
  });

  it('bounds what the parser reads: a single line longer than the bound is cut, not fed whole', async () => {
    // 40 000 characters of the attack: only the bound is parsed, and still gives up in time.
    const reply = extractor({ timeoutMs: 500, maxChars: 4_000 });
    const body = '1234from<'.repeat(4_500);
    const started = performance.now();
    expect(await reply.extract(body)).toMatchObject({ text: body, unseparated: 'timeout' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await reply.extract(REPLY)).toEqual({ text: 'Merci, c’est noté.' });
  });

  it('keeps the whole text of the messages still waiting when it is closed', async () => {
    const reply = extractor({ timeoutMs: 10_000 });
    const attack = reply.extract(REDOS);
    const waiting = reply.extract(REPLY);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await reply.close();
    expect(await attack).toMatchObject({ text: REDOS, unseparated: 'error' });
    expect(await waiting).toMatchObject({ text: REPLY, unseparated: 'error' });
  });
});
