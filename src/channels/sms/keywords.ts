/**
 * The keywords by which a citizen stops or resumes notification SMS. French operators and the
 * SMS providers all honour « STOP » (the « STOP SMS » mention of commercial messages); the
 * others are the usual French and English variants. Only a whole message counts: « stop au bruit
 * rue Victor-Hugo » is a request, not an opt-out.
 */
const STOP = new Set(['STOP', 'STOP SMS', 'STOPSMS', 'ARRET', 'ARRET SMS', 'UNSUBSCRIBE', 'DESABONNER', 'DESINSCRIPTION']);
const START = new Set(['START', 'ARRET FIN', 'STOP FIN', 'UNSTOP', 'REPRISE']);

export type SmsKeyword = 'stop' | 'start';

/** `stop`, `start`, or null for an ordinary message; case, accents and surrounding punctuation do not matter. */
export function smsKeyword(text: string): SmsKeyword | null {
  const words = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (STOP.has(words)) return 'stop';
  if (START.has(words)) return 'start';
  return null;
}
