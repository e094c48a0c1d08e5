/**
 * A private Dovecot IMAP server for the IMAP poller's tests: its own configuration, base_dir and
 * Maildir in a temporary directory, one passwd-file user, listening on 127.0.0.1:freePort, run in
 * the foreground as a child of the test. No system service is involved.
 *
 * When the `dovecot` binary is missing the tests are skipped with a loud message, unless
 * REQUIRE_IMAP=1 (CI), where they fail: a CI without its IMAP server must not look green.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './net.js';

const CANDIDATES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'];

/** The dovecot binary, or null (with the reason printed) when the tests must be skipped. */
export function dovecotBinary(): string | null {
  const found = CANDIDATES.find((file) => fs.existsSync(file)) ?? whichDovecot();
  if (found) return found;
  const message = 'dovecot est introuvable : les tests IMAP exigent un vrai serveur (apt-get install dovecot-imapd).';
  if (process.env.REQUIRE_IMAP === '1') throw new Error(`${message} REQUIRE_IMAP=1 : échec.`);
  console.warn(`\n\n⚠️  ${message}\n⚠️  TESTS IMAP IGNORÉS (REQUIRE_IMAP=1 les rend obligatoires).\n\n`);
  return null;
}

function whichDovecot(): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' });
  const file = result.stdout.trim();
  return result.status === 0 && file ? file : undefined;
}

export interface DovecotOptions {
  /** Capabilities advertised instead of Dovecot's own: e.g. without IDLE or without MOVE. */
  capabilities?: string[];
}

/** Dovecot 2.3's capabilities after login, minus what a test wants the server to lack. */
export const DOVECOT_CAPABILITIES = [
  'IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'SORT', 'THREAD=REFERENCES', 'MULTIAPPEND', 'UNSELECT',
  'CHILDREN', 'NAMESPACE', 'UIDPLUS', 'LIST-EXTENDED', 'I18NLEVEL=1', 'CONDSTORE', 'ESEARCH', 'SEARCHRES', 'WITHIN',
  'LIST-STATUS', 'BINARY', 'MOVE', 'LITERAL+',
];

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:password@127.0.0.1:port/FOLDER */
  url(folder?: string): string;
  /** A fresh logged-in client (the caller logs out). */
  client(): Promise<ImapFlow>;
  /** Appends a message to a folder (INBOX by default), as a mail client or an MTA's delivery would. */
  append(raw: string | Buffer, folder?: string): Promise<void>;
  /** The UIDs of a folder's messages (empty when the folder does not exist). */
  uids(folder: string): Promise<number[]>;
  /** Stops the server (SIGTERM, waits for its exit); start() again on the same port and Maildir. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

export async function startDovecot(binary: string, options: DovecotOptions = {}): Promise<Dovecot> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-dovecot-'));
  // Dovecot's login processes run unprivileged and must reach the sockets under base_dir.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const user = 'mairie';
  const password = 'secret-imap';
  const home = path.join(dir, 'mail', user);
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(path.join(dir, 'base'), { recursive: true });

  // Dovecot refuses to run mail or login processes as root: as root, the Debian package's system
  // users run the internals and the mail belongs to nobody; otherwise everything is the caller.
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  const mailUid = root ? 65534 : me.uid;
  const mailGid = root ? 65534 : me.gid;
  if (root) {
    fs.chownSync(path.join(dir, 'mail'), mailUid, mailGid);
    fs.chownSync(home, mailUid, mailGid);
  }
  fs.writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${home}::\n`);
  const config = [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${path.join(dir, 'base')}`,
    `state_dir = ${path.join(dir, 'base', 'state')}`,
    `instance_name = guichet-test-${port}`,
    `default_internal_user = ${root ? 'dovecot' : me.username}`,
    `default_internal_group = ${root ? 'dovecot' : groupName(me.gid)}`,
    `default_login_user = ${root ? 'dovenull' : me.username}`,
    `log_path = ${path.join(dir, 'dovecot.log')}`,
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    'mail_location = maildir:~/Maildir',
    'first_valid_uid = 1',
    ...(options.capabilities ? [`imap_capability = ${options.capabilities.join(' ')}`] : []),
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN ${path.join(dir, 'passwd')}`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = ${path.join(dir, 'passwd')}`,
    '}',
    'service imap-login {',
    '  chroot =',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    `    port = ${port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    'service anvil {',
    '  chroot =',
    '}',
    '',
  ].join('\n');
  const configFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(configFile, config);

  let child: ChildProcess | null = null;
  let output = '';
  const log = () => `${output}\n${readIfExists(path.join(dir, 'dovecot.log')).slice(-4000)}`;

  const server: Dovecot = {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: (folder = 'INBOX') => `imap://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(folder)}`,
    async client() {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
      await client.connect();
      return client;
    },
    async append(raw, folder = 'INBOX') {
      const client = await server.client();
      try {
        if (folder !== 'INBOX') await client.mailboxCreate(folder);
        await client.append(folder, raw);
      } finally {
        await client.logout();
      }
    },
    async uids(folder) {
      const client = await server.client();
      try {
        const exists = (await client.list()).some((box) => box.path === folder);
        if (!exists) return [];
        const lock = await client.getMailboxLock(folder);
        try {
          const found = (await client.search({ all: true }, { uid: true })) || [];
          return found.sort((a, b) => a - b);
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
    },
    async start() {
      // Its own process group, so that stop() ends the IMAP processes with their master, as
      // `systemctl restart dovecot` does, instead of leaving them to notice the master's death.
      const started = spawn(binary, ['-F', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child = started;
      started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 15_000;
      while (!(await greets(port))) {
        if (started.exitCode !== null) throw new Error(`dovecot s’est arrêté au démarrage (${started.exitCode}) :\n${log()}`);
        if (Date.now() > deadline) throw new Error(`dovecot ne répond pas sur le port ${port} :\n${log()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-running.pid!, signal);
        } catch {
          // The group is already gone.
        }
      };
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      // The master has exited; its IMAP processes, in the same group, are sent the same end.
      signalGroup('SIGKILL');
    },
    async destroy() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** True once the server sends its IMAP greeting. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => finish(false));
    socket.once('data', (chunk: Buffer) => finish(chunk.toString().startsWith('* OK')));
    socket.once('error', () => finish(false));
  });
}

function groupName(gid: number): string {
  const line = readIfExists('/etc/group')
    .split('\n')
    .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
