import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The message's own HTML when it has one (an acknowledgment); else simple HTML made from the text. */
  html?: string | null;
  messageId: string;
  references: string[];
  /** A signed reply address (mairie+r-…@…) that threads the answer onto its case; none without REPLY_ADDRESS. */
  replyTo?: string | null;
}

const transports = new Map<string, Transporter>();

/** One pooled SMTP transport per URL, kept for the life of the process. */
function transportFor(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) transports.set(smtpUrl, (transport = nodemailer.createTransport(smtpUrl)));
  return transport;
}

/**
 * Sends one message. The Message-ID is ours and stable (a retry after a crash resends the same
 * one, which receiving servers recognise), and In-Reply-To/References thread the conversation
 * so the citizen's mail client and our email channel both see one case as one thread.
 */
export async function sendMail(smtpUrl: string, mail: OutgoingMail): Promise<void> {
  const lastReference = mail.references.at(-1);
  await transportFor(smtpUrl).sendMail({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? accessibleHtml(mail.subject, mail.text),
    messageId: mail.messageId,
    ...(lastReference ? { inReplyTo: lastReference, references: mail.references } : {}),
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    // X-Guichet-Loop: our own mail coming back to our receiver is recognised as a loop, never a request.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Guichet-Loop': '1' },
  });
}

/** The same text as simple, accessible HTML: a language, a title, real paragraphs. */
export function accessibleHtml(subject: string, text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return `<!doctype html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1e1e1e;">\n${paragraphs}\n</body>\n</html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
