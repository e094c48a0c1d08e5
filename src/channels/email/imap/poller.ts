/**
 * The IMAP mailbox poller: a town keeps its « mairie@… » mailbox, Guichet reads it. Each new message,
 * in UID order, is fetched whole, handed to the durable receipt (receiveEmail), THEN moved to the
 * processed folder, THEN the checkpoint advances. A crash anywhere in between leaves the message in
 * the mailbox, so the next session fetches it again; the receipt's de-duplication by Message-ID
 * makes that second delivery harmless. The poller waits on IDLE where the server offers it and
 * checks every IMAP_POLL_SECONDS anyway; on any connection error it backs off and reconnects with a
 * fresh client (an ImapFlow client cannot be reused after it closed). When several worker processes
 * run, a lease in the checkpoint row lets one of them read the mailbox; the others stand by and take
 * over when it stops or its lease runs out.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import type { Db } from '../../../db/database.js';
import type { ImapAccount } from './account.js';
import { imapCheckpointRepository } from './repository.js';

/** Where a fetched message comes from, for the handler and the logs. */
export interface ImapMessageMeta {
  /** The account and folder (`user@host:port/FOLDER`). */
  mailbox: string;
  uid: number;
  uidValidity: number;
}

/** Stores the message durably; resolves only once it is (the message is moved away right after). */
export type ImapHandler = (raw: Buffer, meta: ImapMessageMeta) => Promise<void>;

export interface ImapPollerOptions {
  db: Db;
  log: Logger;
  account: ImapAccount;
  /** The organisation the mailbox feeds, resolved at each session (the database may be empty at first start). */
  organisationId: () => Promise<number>;
  /** Where processed messages go, levels separated by « / » (created when missing). */
  processedFolder: string;
  /** The interval of the checks: the only wake-up on a server without IDLE, a safety net with it. */
  pollSeconds: number;
  handle: ImapHandler;
  /** Reconnection delays: `initialMs` doubled at each failure in a row, up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** Called between the durable receipt and the move: the crash test's point of failure. */
  afterStored?: (meta: ImapMessageMeta) => Promise<void>;
  /** How long the lease on the mailbox lasts unless renewed (renewed every third of it). */
  leaseMs?: number;
  /** Extra ImapFlow options (TLS settings). */
  client?: Partial<ImapFlowOptions>;
}

/** What the poller's process knows of its connection (the database row is what other processes see). */
export interface ImapPollerState {
  connected: boolean;
  /** Another worker process holds the mailbox's lease: this one waits. */
  standby: boolean;
  /** IDLE when the server offers it, else polling. */
  mode: 'idle' | 'poll' | null;
  sessions: number;
  processed: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 5 * 60_000 };
const DEFAULT_LEASE_MS = 60_000;
/** How long stop() lets a message being stored finish before it cuts the connection. */
const STOP_GRACE_MS = 5_000;

export class ImapPoller {
  private stopping = false;
  private running: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  /** Set by an `exists` notification or stop(): the next wait returns at once. */
  private poked = false;
  private wake: (() => void) | null = null;
  private readonly holder = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly state: ImapPollerState = { connected: false, standby: false, mode: null, sessions: 0, processed: 0, lastSuccessAt: null, lastError: null, lastErrorAt: null };

  constructor(private readonly options: ImapPollerOptions) {}

  start(): this {
    this.running ??= this.run();
    return this;
  }

  /** Ends the session cleanly: the message in hand is stored and moved, then the client logs out. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    const cut = setTimeout(() => this.client?.close(), STOP_GRACE_MS);
    try {
      await this.running;
    } finally {
      clearTimeout(cut);
    }
  }

  status(): ImapPollerState {
    return { ...this.state };
  }

  private async run(): Promise<void> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.session(() => (failures = 0));
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 20));
        const message = describe(error);
        this.state.lastError = message;
        this.state.lastErrorAt = new Date().toISOString();
        this.options.log.warn({ err: error, mailbox: this.options.account.key, retryInMs: delay }, 'IMAP mailbox session failed; reconnecting after a pause');
        await this.recordError(message);
        this.poked = false;
        await this.pause(delay);
      }
    }
    this.state.connected = false;
  }

  /** One connection, from login to logout: throws when the connection fails or drops. */
  private async session(onOpen: () => void): Promise<void> {
    const { account, log, db } = this.options;
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    const organisationId = await this.options.organisationId();
    const lease = () => {
      const now = Date.now();
      return imapCheckpointRepository.acquireLease(db.kysely, organisationId, account.key, this.holder, new Date(now).toISOString(), new Date(now + leaseMs).toISOString());
    };
    if (!(await lease())) {
      if (!this.state.standby) log.info({ mailbox: account.key }, 'IMAP mailbox read by another worker process; standing by');
      this.state.standby = true;
      this.poked = false;
      await this.pause(leaseMs / 3);
      return;
    }
    this.state.standby = false;
    const client = new ImapFlow({
      host: account.host,
      port: account.port,
      secure: account.secure,
      auth: { user: account.user, pass: account.password },
      logger: false,
      // IDLE soon after each round, so a message arriving a moment later is announced at once.
      autoIdleDelay: 500,
      ...this.options.client,
    });
    this.client = client;
    this.state.sessions += 1;
    // The client reports a dropped connection by events, not by a rejected command when idle.
    let fail: (error: Error) => void = () => undefined;
    const lost = new Promise<never>((_resolve, reject) => (fail = reject));
    lost.catch(() => undefined);
    client.on('error', (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
    client.on('close', () => fail(new Error('Connexion IMAP fermée par le serveur.')));
    client.on('exists', () => this.poke());
    let renewing: Promise<unknown> = Promise.resolve();
    const renewal = setInterval(() => {
      renewing = lease().then((held) => held || fail(new Error('Bail de la boîte IMAP perdu : un autre processus la relève.')), fail);
    }, leaseMs / 3);
    try {
      await Promise.race([client.connect(), lost]);
      const mailbox = await client.mailboxOpen(account.folder);
      const processedPath = await this.ensureFolder(client);
      this.state.connected = true;
      this.state.mode = client.capabilities.has('IDLE') ? 'idle' : 'poll';
      log.info({ mailbox: account.key, mode: this.state.mode, uidValidity: String(mailbox.uidValidity) }, 'IMAP mailbox opened');
      onOpen();
      while (!this.stopping) {
        this.poked = false;
        // Not raced against `lost`: a message being stored finishes; the next command fails instead.
        await this.processNew(client, organisationId, processedPath);
        await this.recordSuccess(organisationId);
        if (this.stopping) break;
        await Promise.race([this.pause(this.options.pollSeconds * 1000), lost]);
      }
    } finally {
      clearInterval(renewal);
      this.state.connected = false;
      this.client = null;
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
      // Another worker process may take over at once (after a failure, this one competes again).
      // A renewal still under way would take the lease back after its release: wait for it first.
      await renewing;
      await imapCheckpointRepository.releaseLease(db.kysely, organisationId, account.key, this.holder).catch(() => undefined);
    }
  }

  /** Stores, moves and checkpoints every message above the checkpoint, in UID order. */
  private async processNew(client: ImapFlow, organisationId: number, processedPath: string): Promise<void> {
    const { db, account, log } = this.options;
    const opened = client.mailbox;
    if (!opened) throw new Error('Aucun dossier IMAP ouvert.');
    const uidValidity = Number(opened.uidValidity);
    const checkpoint = await imapCheckpointRepository.find(db.kysely, organisationId, account.key);
    let lastUid = checkpoint?.uidValidity === uidValidity ? checkpoint.lastUid : 0;
    if (checkpoint?.uidValidity != null && checkpoint.uidValidity !== uidValidity) {
      // The folder was re-created or the server migrated: old UIDs mean nothing now. Start over;
      // messages already received are recognised by their Message-ID.
      log.warn({ mailbox: account.key, was: checkpoint.uidValidity, now: uidValidity }, 'IMAP UIDVALIDITY changed; reading the mailbox from its first message');
      await imapCheckpointRepository.restart(db.kysely, organisationId, account.key, uidValidity, new Date().toISOString());
    }
    if (opened.exists === 0) return;
    // `n:*` always matches the highest UID, even below n: filter.
    const uids = (await this.search(client, `${lastUid + 1}:*`)).filter((uid) => uid > lastUid).sort((a, b) => a - b);
    for (const uid of uids) {
      if (this.stopping) return;
      const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      if (!message || !message.source) {
        // Expunged meanwhile (an agent deleted it): skip it. Still there: a failed fetch, which must
        // not be skipped — the checkpoint would pass it and it would never be read again.
        if ((await this.search(client, String(uid))).includes(uid)) throw new Error(`Le message ${uid} n’a pas pu être lu.`);
        continue;
      }
      const meta: ImapMessageMeta = { mailbox: account.key, uid, uidValidity };
      await this.options.handle(message.source, meta);
      await this.options.afterStored?.(meta);
      await this.move(client, uid, processedPath);
      lastUid = uid;
      await imapCheckpointRepository.advance(db.kysely, organisationId, account.key, uidValidity, uid, new Date().toISOString());
      this.state.processed += 1;
      log.info({ mailbox: account.key, uid }, 'IMAP message received and moved');
    }
  }

  /** UID SEARCH; imapflow answers `false` on a failed search, which must not read as « nothing new ». */
  private async search(client: ImapFlow, uids: string): Promise<number[]> {
    const found = await client.search({ uid: uids }, { uid: true });
    if (!found) throw new Error(`Recherche IMAP (UID ${uids}) refusée par le serveur.`);
    return found;
  }

  /**
   * MOVE where offered; else COPY then delete — and only after the copy succeeded (imapflow's own
   * fallback deletes even when the copy failed, which would lose the message).
   */
  private async move(client: ImapFlow, uid: number, destination: string): Promise<void> {
    if (client.capabilities.has('MOVE')) {
      if (!(await client.messageMove(String(uid), destination, { uid: true }))) throw new Error(`Déplacement du message ${uid} vers « ${destination} » refusé par le serveur.`);
      return;
    }
    if (!(await client.messageCopy(String(uid), destination, { uid: true }))) throw new Error(`Copie du message ${uid} vers « ${destination} » refusée par le serveur.`);
    if (!(await client.messageDelete(String(uid), { uid: true }))) throw new Error(`Suppression du message ${uid} après sa copie refusée par le serveur.`);
  }

  /** The processed folder's path with the server's separator, created (and subscribed) when missing. */
  private async ensureFolder(client: ImapFlow): Promise<string> {
    const segments = this.options.processedFolder.split('/').filter(Boolean);
    const created = await client.mailboxCreate(segments);
    if (!created) throw new Error(`Le dossier IMAP « ${this.options.processedFolder} » ne peut pas être créé.`);
    if (created.created) {
      await client.mailboxSubscribe(created.path);
      this.options.log.info({ mailbox: this.options.account.key, folder: created.path }, 'IMAP processed folder created');
    }
    return created.path;
  }

  private poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Waits `ms`, or less when a message is announced or the poller stops. */
  private pause(ms: number): Promise<void> {
    if (this.poked || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        // A pause abandoned by a lost connection must not unhook the next session's pause.
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async recordSuccess(organisationId: number): Promise<void> {
    const now = new Date().toISOString();
    this.state.lastSuccessAt = now;
    await imapCheckpointRepository.recordSuccess(this.options.db.kysely, organisationId, this.options.account.key, now);
  }

  /** Best effort: the error may well be the database's. */
  private async recordError(message: string): Promise<void> {
    try {
      const organisationId = await this.options.organisationId();
      await imapCheckpointRepository.recordError(this.options.db.kysely, organisationId, this.options.account.key, message, new Date().toISOString());
    } catch (error) {
      this.options.log.error({ err: error }, 'IMAP poller could not record its error');
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const extra = error as Error & { responseText?: string; code?: string };
    return [error.message, extra.responseText, extra.code].filter(Boolean).join(' — ');
  }
  return String(error);
}
