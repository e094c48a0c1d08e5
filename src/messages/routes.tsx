import { latestAccountMails } from '../accounts/service.js';
import type { App } from '../http/context.js';
import { renderPage } from '../http/ui/layout.js';
import { organisationRepository } from '../organisations/repository.js';
import { devMailboxDecision } from './dev-mailbox.js';
import { messageRepository } from './repository.js';
import { MailboxPage, type MailboxMessage } from './views/mailbox.js';

/**
 * The development mailbox: only with DEV_MAILBOX=true, no SMTP_URL (the demo started by
 * `guichet start`) and a listener on a loopback address (see devMailboxDecision). Anywhere else
 * the page does not exist.
 */
export async function devMailboxRoutes(app: App): Promise<void> {
  if (!devMailboxDecision(app.ctx.config).served) return;
  app.get('/dev/boite-mail', { schema: { hide: true } }, async (_request, reply) => {
    const db = app.ctx.db.kysely;
    const organisation = await organisationRepository.findDefault(db);
    const rows = organisation ? await messageRepository.latestOutgoing(db, organisation.id, 100) : [];
    const accountMails = organisation ? await latestAccountMails(app.ctx.db, organisation.id, 100) : [];
    const messages: MailboxMessage[] = [
      ...rows.map((r) => ({ key: `dossier-${r.id}`, reference: r.reference, channel: r.channel, recipient: r.recipient, subject: r.subject, body: r.body_text, status: r.status, createdAt: r.created_at })),
      ...accountMails.map((m) => ({ key: `compte-${m.id}`, reference: null, channel: 'account', recipient: m.recipient, subject: m.subject, body: m.body_text, status: m.status, createdAt: m.created_at })),
    ]
      // Newest first across both sources (ISO-8601 timestamps sort as text).
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, 100);
    const page = renderPage({ title: 'Boîte de développement', organisationName: organisation?.name ?? 'Guichet', section: 'dev' }, <MailboxPage messages={messages} />);
    return reply.type('text/html; charset=utf-8').send(page);
  });
}
