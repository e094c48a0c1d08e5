/** The mailbox IMAP_URL names: `imap[s]://user:password@host[:port][/FOLDER]`. */
export interface ImapAccount {
  host: string;
  port: number;
  /** TLS from the first byte (imaps://, port 993 by default); imap:// upgrades with STARTTLS when offered. */
  secure: boolean;
  user: string;
  password: string;
  /** The folder read, INBOX by default. */
  folder: string;
  /** How the checkpoint and the logs name this mailbox: `user@host:port/FOLDER`, never the password. */
  key: string;
}

export function parseImapUrl(raw: string): ImapAccount {
  const url = new URL(raw);
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') throw new Error('IMAP_URL : le protocole doit être imap: ou imaps:');
  const secure = url.protocol === 'imaps:';
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (!url.hostname || !user) throw new Error('IMAP_URL : le serveur et l’utilisateur sont obligatoires');
  const folder = decodeURIComponent(url.pathname.replace(/^\/+/, '').replace(/\/+$/, '')) || 'INBOX';
  return { host: url.hostname, port, secure, user, password, folder, key: `${user}@${url.hostname}:${port}/${folder}` };
}
