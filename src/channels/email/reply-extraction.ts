/**
 * Reply extraction — the new text of an e-mail apart from its quoted history — off the main thread.
 *
 * email-reply-parser's regular expressions backtrack catastrophically on crafted lines: a 3 KB body
 * of « 1234from< » kept the process busy for 22 s, and anyone may send us a mail. So the parser
 * sees at most REPLY_PARSE_MAX_CHARS of the text, runs in one long-lived worker thread
 * (reply-worker.mjs) and has REPLY_PARSE_TIMEOUT_MS per message. Past that limit, or when the
 * worker fails, it is terminated and a new one serves the next message; the mail keeps its whole
 * text (nothing is lost, the quoted part is only not removed) and says why it is unseparated.
 */
import { Worker } from 'node:worker_threads';

/** The parser reads at most this much of a text (cut at a line end); beyond it, see `extract`. */
export const REPLY_PARSE_MAX_CHARS = 32_000;
/** Time one message may take in the parser; normal mail takes a few milliseconds. */
export const REPLY_PARSE_TIMEOUT_MS = 1_000;
/** Time a new worker may take to load the parser before the waiting message is given up. */
const WORKER_START_TIMEOUT_MS = 15_000;
/** A runaway parse is stopped by the timer; this bounds its memory meanwhile. */
const WORKER_MEMORY_MB = 64;
const WORKER_URL = new URL('./reply-worker.mjs', import.meta.url);

export interface ExtractedReply {
  /** The new text; the whole text when nothing else remains or the parser could not tell. */
  text: string;
  /** Why the quoted part could not be looked for: `text` is then the whole body. */
  unseparated?: 'timeout' | 'error';
  /** What went wrong, for the log. */
  detail?: string;
}

type Outcome = { visible: string; endsQuoted: boolean } | { failure: 'timeout' | 'error'; detail: string };

interface Job {
  text: string;
  resolve(outcome: Outcome): void;
}

/**
 * One worker thread that parses one message at a time (others wait their turn), each with its own
 * time limit. The worker is started on first use and does not keep the process alive when idle.
 */
export class ReplyExtractor {
  private worker: Worker | null = null;
  private ready = false;
  private startTimer: NodeJS.Timeout | null = null;
  private current: { id: number; job: Job; timer: NodeJS.Timeout } | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private readonly timeoutMs: number;
  private readonly maxChars: number;

  constructor(options: { timeoutMs?: number; maxChars?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? REPLY_PARSE_TIMEOUT_MS;
    this.maxChars = options.maxChars ?? REPLY_PARSE_MAX_CHARS;
  }

  /**
   * The new text of `fullText`. A text longer than the bound is parsed by its head: when the head
   * ends inside quoted history, what follows the cut is history too and is dropped; otherwise the
   * new text goes on past the cut and the rest is kept as it is.
   */
  async extract(fullText: string): Promise<ExtractedReply> {
    const text = fullText.replace(/\r\n?/g, '\n').trim();
    if (text === '') return { text: '' };
    const head = headOf(text, this.maxChars);
    const outcome = await this.parse(head);
    if ('failure' in outcome) return { text, unseparated: outcome.failure, detail: outcome.detail };
    const visible = outcome.visible.trim();
    if (visible === '') return { text };
    if (head.length === text.length || outcome.endsQuoted) return { text: visible };
    return { text: `${visible}\n${text.slice(head.length).trim()}` };
  }

  /** Stops the worker; messages still waiting keep their whole text. */
  async close(): Promise<void> {
    const waiting = this.queue.splice(0);
    const worker = this.worker;
    if (worker) this.discard(worker, 'error', 'extraction arrêtée');
    for (const job of waiting) job.resolve({ failure: 'error', detail: 'extraction arrêtée' });
    await worker?.terminate();
  }

  private parse(text: string): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      this.queue.push({ text, resolve });
      this.pump();
    });
  }

  /** Hands the next waiting message to the worker (starting one if needed) when it is free. */
  private pump(): void {
    if (!this.current && this.queue.length > 0) {
      const worker = this.worker ?? this.start();
      if (this.ready) {
        const job = this.queue.shift()!;
        const id = this.nextId++;
        const timer = setTimeout(() => this.discard(worker, 'timeout', `analyse interrompue après ${this.timeoutMs} ms`), this.timeoutMs);
        this.current = { id, job, timer };
        worker.postMessage({ id, text: job.text });
      }
    }
    // A worker with work keeps the process alive (a CLI awaiting it must not exit); an idle one does not.
    if (this.current || this.queue.length > 0) this.worker?.ref();
    else this.worker?.unref();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: WORKER_MEMORY_MB } });
    this.worker = worker;
    this.ready = false;
    this.startTimer = setTimeout(() => this.discard(worker, 'error', `le processus d’analyse n’a pas démarré en ${WORKER_START_TIMEOUT_MS} ms`), WORKER_START_TIMEOUT_MS);
    worker.on('message', (message: { ready?: true; id?: number; visible?: string; endsQuoted?: boolean; error?: string }) => {
      if (worker !== this.worker) return;
      if (message.ready) {
        this.ready = true;
        clearTimeout(this.startTimer!);
        this.startTimer = null;
      } else if (this.current && message.id === this.current.id) {
        const { job, timer } = this.current;
        clearTimeout(timer);
        this.current = null;
        job.resolve(message.error !== undefined ? { failure: 'error', detail: message.error } : { visible: message.visible ?? '', endsQuoted: message.endsQuoted === true });
      }
      this.pump();
    });
    worker.on('error', (error: Error) => this.discard(worker, 'error', error.message));
    worker.on('exit', (code: number) => this.discard(worker, 'error', `processus d’analyse arrêté (code ${code})`));
    return worker;
  }

  /**
   * Terminates a worker that overran, failed or died: the message it held (or, while it was
   * starting, the first one waiting) gets `failure`, and the next message gets a new worker.
   */
  private discard(worker: Worker, failure: 'timeout' | 'error', detail: string): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.ready = false;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    void worker.terminate();
    const job = this.current?.job ?? this.queue.shift();
    if (this.current) clearTimeout(this.current.timer);
    this.current = null;
    job?.resolve({ failure, detail });
    this.pump();
  }
}

/** The text itself when short enough, else its beginning up to the last line end within `max` characters. */
function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const lineEnd = text.lastIndexOf('\n', max);
  if (lineEnd > max / 2) return text.slice(0, lineEnd);
  // One very long line: cut it, without splitting a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The process's extractor (its worker starts with the first e-mail processed). */
export const replyExtractor = new ReplyExtractor();
