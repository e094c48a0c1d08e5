import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';

/** What a job handler may use: the database, the configuration and a logger bound to the job. */
export interface JobContext {
  db: Db;
  config: Config;
  log: Logger;
}

/**
 * A kind of background work, declared once with its handler.
 *
 * Delivery is at-least-once: a worker that crashes or loses its lease after the handler did its
 * work but before the job was marked done lets another worker run it again. Every handler must
 * therefore be idempotent — check what is already done (a row keyed by the job id, a status, a
 * dedupe key sent to the remote system) before doing it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds handlers of every payload type
export interface JobType<P = any> {
  /** Stable name stored in the jobs table, e.g. 'message.send'. Renaming it orphans queued jobs. */
  type: string;
  /** One French line for `guichet jobs` and the logs. */
  description: string;
  /** Attempts before the job is declared dead (default 8). */
  maxAttempts?: number;
  /**
   * For periodic work (a sweep): run once every this many ms, with an empty payload. Every
   * worker enqueues the run of the current period under the same dedupe key, so however many
   * workers there are, each period runs once.
   */
  every?: number;
  /**
   * How long one run may take before it counts as failed (default 5 minutes): a handler stuck on
   * a peer that never answers must not hold its job, or the worker's shutdown, forever.
   */
  timeoutMs?: number;
  /** Does the work; throwing schedules a retry with back-off, or kills the job at its last attempt. */
  handle(ctx: JobContext, payload: P, job: { id: number; attempt: number }): Promise<void>;
}

/**
 * Thrown by a handler whose failure another attempt cannot change (an address the outbound guard
 * refuses, a gateway that refuses the request itself): the job dies at once, with this message
 * kept as its last error, instead of being retried until its attempts run out.
 */
export class PermanentJobFailure extends Error {
  override readonly name = 'PermanentJobFailure';
}

/** Declares a job type with its payload type checked against its handler. */
export function defineJobType<P>(jobType: JobType<P>): JobType<P> {
  return jobType;
}

/** Attempts of a job whose type does not say otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_JOB_TIMEOUT_MS = 5 * 60_000;

/**
 * The job types one process knows, by name. Built once at start-up: a type declared twice is a
 * programming error that must stop the process before it runs anything.
 */
export class JobRegistry {
  private readonly byType = new Map<string, JobType>();

  constructor(types: JobType[]) {
    for (const jobType of types) {
      if (!jobType.type) throw new Error('Type de tâche sans nom.');
      if (this.byType.has(jobType.type)) throw new Error(`Type de tâche déclaré deux fois : ${jobType.type}`);
      if (jobType.every !== undefined && !(Number.isInteger(jobType.every) && jobType.every >= 1_000)) {
        throw new Error(`Période invalide pour la tâche ${jobType.type} : un nombre entier de millisecondes ≥ 1000 est attendu.`);
      }
      this.byType.set(jobType.type, jobType);
    }
  }

  /** The declared type, or undefined when no handler exists for it. */
  get(type: string): JobType | undefined {
    return this.byType.get(type);
  }

  /** Every declared type name, in declaration order. */
  types(): string[] {
    return [...this.byType.keys()];
  }

  /** The declared types that run periodically. */
  periodic(): JobType[] {
    return [...this.byType.values()].filter((t) => t.every !== undefined);
  }
}
