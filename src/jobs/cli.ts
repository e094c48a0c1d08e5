/**
 * `guichet jobs`: what an administrator needs to watch and repair background work — counts by
 * state, the dead jobs with their last error, putting them back, and running due jobs once.
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { JobRegistry } from './registry.js';
import { jobRepository, type Job, type JobState } from './repository.js';
import { assertKnownJobTypes, runDueJobs } from './worker.js';

export const JOBS_USAGE = `Usage : guichet jobs [--limit N]             état des tâches et tâches en échec
        guichet jobs retry ID | --all-dead   remet en file une tâche en échec (ou toutes)
        guichet jobs run                     exécute une fois les tâches dues, puis s’arrête`;

const STATE_LABELS: Record<JobState, string> = { pending: 'en attente', running: 'en cours', done: 'terminée(s)', dead: 'en échec' };

/** Runs `guichet jobs …`; returns the exit code (0 done, 1 nothing to act on, 2 usage error). */
export async function jobsCommand(db: Db, config: Config, args: string[], logger: () => Logger): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === undefined || sub.startsWith('-')) return await status(db, args);
    if (sub === 'retry') return await retry(db, rest);
    if (sub === 'run') return await run(db, config, logger());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${JOBS_USAGE}`);
    return 2;
  }
  console.error(`Sous-commande inconnue : ${sub}\n${JOBS_USAGE}`);
  return 2;
}

class UsageError extends Error {}

/** Runs a parseArgs call, turning its complaints into a usage error. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function status(db: Db, args: string[]): Promise<number> {
  const { values } = parsed(() => parseArgs({ args, options: { limit: { type: 'string' } } }));
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit attend un nombre entier positif.');
  const counts = await jobRepository.countByState(db.kysely);
  console.log(`Tâches : ${(Object.keys(STATE_LABELS) as JobState[]).map((s) => `${counts[s].toLocaleString('fr-FR')} ${STATE_LABELS[s]}`).join(', ')}.`);
  if (counts.dead === 0) return 0;
  const dead = await jobRepository.listFailed(db.kysely, limit);
  console.log(`\nTâches en échec${counts.dead > dead.length ? ` (les ${dead.length} plus récentes sur ${counts.dead})` : ''} :`);
  console.log(formatTable(dead));
  console.log('\nPour les remettre en file : guichet jobs retry ID (ou --all-dead).');
  return 0;
}

function formatTable(jobs: Job[]): string {
  const rows = [['n°', 'type', 'tentatives', 'terminée le', 'dernière erreur'], ...jobs.map((j) => [String(j.id), j.type, String(j.attempts), j.finishedAt ?? '', oneLine(j.lastError ?? '')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`).join('\n');
}

const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
};

async function retry(db: Db, args: string[]): Promise<number> {
  const { values, positionals } = parsed(() => parseArgs({ args, options: { 'all-dead': { type: 'boolean' } }, allowPositionals: true }));
  const now = new Date().toISOString();
  if (values['all-dead']) {
    if (positionals.length > 0) throw new UsageError('Donnez soit un numéro de tâche, soit --all-dead.');
    const n = await jobRepository.retryAllDead(db.kysely, now);
    console.log(n === 0 ? 'Aucune tâche en échec.' : `${n.toLocaleString('fr-FR')} tâche(s) remise(s) en file.`);
    return 0;
  }
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw new UsageError('Précisez le numéro de la tâche à relancer (ou --all-dead).');
  if (await jobRepository.retry(db.kysely, id, now)) {
    console.log(`Tâche n° ${id} remise en file.`);
    return 0;
  }
  const job = await jobRepository.findById(db.kysely, id);
  console.error(job ? `La tâche n° ${id} n’est pas en échec (état : ${STATE_LABELS[job.state]}).` : `Aucune tâche n° ${id}.`);
  return 1;
}

async function run(db: Db, config: Config, log: Logger): Promise<number> {
  const { applicationJobTypes } = await import('./catalogue.js');
  const registry = new JobRegistry(applicationJobTypes());
  await assertKnownJobTypes(db, registry);
  const started = Date.now();
  const ran = await runDueJobs({ db, config, log }, registry, { concurrency: config.JOB_CONCURRENCY });
  const counts = await jobRepository.countByState(db.kysely);
  console.log(
    `${ran.toLocaleString('fr-FR')} tâche(s) exécutée(s) en ${((Date.now() - started) / 1000).toFixed(1)} s. ` +
      `Restent ${counts.pending.toLocaleString('fr-FR')} en attente (à venir ou à réessayer), ${counts.dead.toLocaleString('fr-FR')} en échec.`,
  );
  return 0;
}
