/**
 * The built-in SMTP receiver: the town routes a domain or an alias (MX, or a forward from its own
 * mail server) to Guichet. It is an MX, not a submission server: no AUTH, only our domains as
 * recipients (550 otherwise), a size limit (552), optional STARTTLS. It answers 250 only once
 * `receiveEmail` has made the message durable, and 451 when that fails, so the sender retries.
 */
import fs from 'node:fs';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { receiveEmail, recordRefusedEmail, type EmailDeps } from './receive.js';

export interface SmtpReceiver {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** An SMTP reply with its code, as smtp-server sends it. */
function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The domain part of an address, lower-cased. */
function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Starts the receiver on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT (port 0 takes a free one, for tests). */
export async function startSmtpReceiver(deps: EmailDeps, options: { port?: number; host?: string } = {}): Promise<SmtpReceiver> {
  const { config, log } = deps;
  const maxBytes = config.INBOUND_EMAIL_MAX_BYTES;
  const domains = config.INBOUND_EMAIL_DOMAINS;
  const tls = config.INBOUND_SMTP_TLS_KEY && config.INBOUND_SMTP_TLS_CERT
    ? { key: fs.readFileSync(config.INBOUND_SMTP_TLS_KEY), cert: fs.readFileSync(config.INBOUND_SMTP_TLS_CERT) }
    : null;
  let mtaName = 'guichet.localhost';
  try {
    mtaName = new URL(config.publicUrl).hostname || mtaName;
  } catch {
    // keep the default name
  }
  const server = new SMTPServer({
    name: mtaName,
    banner: 'Guichet',
    size: maxBytes,
    // The limit is checked in onMailFrom rather than by smtp-server, so a refusal on a declared
    // SIZE is recorded too (the EHLO then announces « SIZE » without its number, as RFC 1870 allows).
    hideSize: true,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    logger: false,
    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (error?: Error | null) => void) {
      const args: Record<string, string | true> = address.args || {};
      const declared = typeof args['SIZE'] === 'string' ? Number(args['SIZE']) : 0;
      if (!(declared > maxBytes)) return callback();
      recordRefusedEmail(deps, { envelopeFrom: address.address, recipients: [], size: declared, remoteAddress: session.remoteAddress ?? null })
        .catch((error: unknown) => log.error({ err: error }, 'refused e-mail not recorded'))
        .finally(() => callback(smtpError(552, `5.3.4 Message trop volumineux (limite : ${maxBytes} octets).`)));
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      if (!domains.includes(domainOf(address.address))) return callback(smtpError(550, '5.1.1 Destinataire inconnu ici : ce domaine n’est pas servi par ce serveur.'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the rest is only drained, never kept in memory.
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.once('error', (error: Error) => callback(smtpError(451, `4.3.0 Réception interrompue : ${error.message}`)));
      stream.once('end', () => {
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        if ((stream as typeof stream & { sizeExceeded?: boolean }).sizeExceeded || size > maxBytes) {
          recordRefusedEmail(deps, { envelopeFrom, recipients, size, remoteAddress: session.remoteAddress ?? null })
            .catch((error: unknown) => log.error({ err: error }, 'refused e-mail not recorded'))
            .finally(() => callback(smtpError(552, `5.3.4 Message trop volumineux (limite : ${maxBytes} octets).`)));
          return;
        }
        receiveEmail(deps, Buffer.concat(chunks), {
          kind: 'smtp',
          envelopeFrom,
          recipients,
          remoteAddress: session.remoteAddress ?? null,
          helo: session.hostNameAppearsAs ?? null,
        })
          .then(({ inboundId, duplicate }) => {
            log.info({ inboundId, duplicate }, 'e-mail received');
            callback(null, duplicate ? 'Message déjà reçu' : `Message reçu (${inboundId})`);
          })
          .catch((error: unknown) => {
            log.error({ err: error }, 'e-mail not stored');
            callback(smtpError(451, '4.3.0 Enregistrement impossible pour le moment : réessayez plus tard.'));
          });
      });
    },
  });
  const host = options.host ?? config.INBOUND_SMTP_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.INBOUND_SMTP_PORT ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: Error) => log.warn({ err: error }, 'SMTP receiver connection error'));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, host, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
