import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configMarkdown, loadConfig, type Config } from './config.js';
import { verifyAllJournals } from './cases/verify.js';
import type { Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { preparePrivateDataDir, restrictNewFileModes } from './db/private-files.js';
import { devMailboxDecision } from './messages/dev-mailbox.js';
import { organisationRepository } from './organisations/repository.js';
import { jobsCommand } from './jobs/cli.js';
import { channelsCommand } from './channels/cli.js';
import { createLogger, openConfiguredDatabase, ROLES, startServer, type Role } from './server.js';
import { createToken, SCOPES } from './tokens/service.js';
import { DEMO_CITIZEN } from './demo/citizen-account.js';
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_TOTP_SECRET, DEMO_AGENT_PASSWORD, demoAdminTotpUri } from './demo/agent-accounts.js';

const USAGE = `Guichet — plateforme de relation usager

Usage : guichet <commande> [options]

  start                          migre, installe la commune de démonstration si la base est vide, puis sert
  serve [--role web|worker|all]  sert l’application (après « migrate ») : web (HTTP), worker (tâches de fond)
                                 ou all, les deux (par défaut)
  migrate                        met le schéma de la base à jour
  seed --demo [--cases N]        installe la commune « Ville de Démo » et N dossiers historiques
  token create --name NOM --scopes ${SCOPES.join(',')}
                                 crée un jeton d’API (affiché une seule fois)
  journal verify                 vérifie la chaîne d’empreintes du journal de chaque dossier
  jobs [--limit N]               état des tâches de fond (envois, minuteries, webhooks) et tâches en échec
  jobs retry ID | --all-dead     remet en file une tâche en échec (ou toutes)
  jobs run                       exécute une fois les tâches dues, puis s’arrête
  channels …                     canaux entrants : quarantaine, retraitement, sources de webhooks
                                 (« guichet channels » pour le détail)
  config --markdown              affiche le tableau des variables d’environnement

La configuration se fait par variables d’environnement (voir README).`;

const DEMO_TOKEN_FILE = 'demo-token.txt';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'config') {
    console.log(configMarkdown());
    return 0;
  }
  // The demo command shows the development mailbox unless told otherwise.
  const config = loadConfig(command === 'start' ? { DEV_MAILBOX: 'true', ...process.env } : process.env);
  // Database, WAL, attachments, secrets: private to this account, whatever the shell's umask.
  restrictNewFileModes();
  const narrowed = preparePrivateDataDir(config.DATA_DIR);
  if (narrowed && cluster.isPrimary) console.warn(narrowed);
  const db = openConfiguredDatabase(config);
  let serving = false;
  try {
    switch (command) {
      case 'migrate':
        report(await migrateToLatest(db));
        return 0;
      case 'seed':
        return await seed(db, config, rest);
      case 'token':
        return await token(db, rest);
      case 'journal':
        return await journal(db, rest);
      case 'jobs':
        return await jobsCommand(db, config, rest, () => createLogger(config));
      case 'channels':
        return await channelsCommand(db, config, rest);
      case 'serve': {
        const role = parseRole(rest);
        if (!role) return 2;
        const refusal = role === 'worker' ? null : devMailboxDecision(config).refusal;
        if (refusal && cluster.isPrimary) console.warn(refusal);
        await startServer(config, db, role);
        serving = true;
        return -1;
      }
      case 'start': {
        // A web child of WEB_PROCESSES runs this command again: the first process has set up.
        let demoToken: string | null = null;
        if (cluster.isPrimary) {
          report(await migrateToLatest(db));
          demoToken = await seedDemoIfEmpty(db, config);
        }
        await startServer(config, db, 'all');
        serving = true;
        if (cluster.isPrimary) printWelcome(config, demoToken);
        return -1;
      }
      default:
        console.error(`Commande inconnue : ${command}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    // Servers keep the database open until they are stopped.
    if (!serving) await db.close();
  }
}

/** The --role of `serve`; undefined (after saying why) when it is not one of ROLES. */
function parseRole(args: string[]): Role | undefined {
  let values: { role?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { role: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage : guichet serve [--role ${ROLES.join('|')}]`);
    return undefined;
  }
  const role = values.role ?? 'all';
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  console.error(`Rôle inconnu : ${role}. Rôles possibles : ${ROLES.join(', ')} (web : HTTP seul, worker : tâches de fond seules, all : les deux).`);
  return undefined;
}

function report(applied: string[]) {
  console.log(applied.length > 0 ? `Migrations appliquées : ${applied.join(', ')}` : 'Schéma à jour.');
}

async function seed(db: Db, config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean' }, cases: { type: 'string' } } });
  if (!values.demo) {
    console.error('Précisez --demo : seule la commune de démonstration peut être installée par cette commande.');
    return 2;
  }
  const cases = values.cases === undefined ? 0 : Number(values.cases);
  if (!Number.isInteger(cases) || cases < 0) {
    console.error('--cases attend un nombre entier positif.');
    return 2;
  }
  await migrateToLatest(db);
  await installDemo(db, config, cases);
  return 0;
}

/** Installs the demo commune and its API token; returns the token (shown once, kept in DATA_DIR/demo-token.txt). */
async function installDemo(db: Db, config: Config, cases: number): Promise<string> {
  // Loaded on demand: serving never needs the demo data generators.
  const { seedDemoCommune } = await import('./demo/commune.js');
  const { seedHistoricalCases } = await import('./demo/history.js');
  const summary = await seedDemoCommune(db);
  console.log(`Commune « Ville de Démo » installée : ${Object.keys(summary.departments).length} services, ${Object.keys(summary.procedures).length} démarches.`);
  if (cases > 0) {
    const started = Date.now();
    await seedHistoricalCases(db, summary.organisationId, cases, {
      onProgress: (done: number) => process.stdout.write(`\r${done.toLocaleString('fr-FR')} / ${cases.toLocaleString('fr-FR')} dossiers…`),
    });
    console.log(`\n${cases.toLocaleString('fr-FR')} dossiers historiques créés en ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }
  const { token } = await createToken(db.kysely, summary.organisationId, 'Jeton de démonstration', [...SCOPES]);
  fs.writeFileSync(path.join(config.DATA_DIR, DEMO_TOKEN_FILE), `${token}\n`, { mode: 0o600 });
  console.log(`Jeton d’API de démonstration (aussi dans ${path.join(config.DATA_DIR, DEMO_TOKEN_FILE)}) : ${token}`);
  return token;
}

/** The demo's API token when this start created the demo; null when the database already had a commune. */
async function seedDemoIfEmpty(db: Db, config: Config): Promise<string | null> {
  if (await organisationRepository.findDefault(db.kysely)) return null;
  console.log('Base vide : installation de la commune de démonstration…');
  return installDemo(db, config, 500);
}

async function token(db: Db, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error(`Usage : guichet token create --name NOM --scopes ${SCOPES.join(',')}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, scopes: { type: 'string' } } });
  if (!values.name || !values.scopes) {
    console.error(`--name et --scopes sont obligatoires. Portées possibles : ${SCOPES.join(', ')}.`);
    return 2;
  }
  const organisation = await organisationRepository.findDefault(db.kysely);
  if (!organisation) {
    console.error('Aucune collectivité dans la base : lancez d’abord « guichet seed --demo » ou créez-la.');
    return 1;
  }
  try {
    const scopes = values.scopes.split(/[,\s]+/).filter(Boolean);
    const created = await createToken(db.kysely, organisation.id, values.name, scopes);
    console.log(`Jeton « ${values.name} » (n° ${created.id}) — conservez-le, il ne sera plus affiché :\n${created.token}`);
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
}

async function journal(db: Db, args: string[]): Promise<number> {
  if (args[0] !== 'verify') {
    console.error('Usage : guichet journal verify');
    return 2;
  }
  const result = await verifyAllJournals(db.kysely, (broken) => console.error(`Dossier ${broken.reference} : chaîne rompue à l’événement n° ${broken.seq}`));
  console.log(`${result.checked} journaux vérifiés, ${result.broken} rompu(s).`);
  return result.broken === 0 ? 0 : 1;
}

/**
 * What `start` prints once listening. The demo's secrets (passwords, the admin's TOTP key, the API
 * token) are printed only by the start that created the demo: later starts would copy them into
 * every log that keeps the process's output (journald, docker logs), so they only say where to
 * find them.
 */
function printWelcome(config: Config, demoToken: string | null) {
  const url = config.publicUrl;
  const tokenFile = path.join(config.DATA_DIR, DEMO_TOKEN_FILE);
  const mailbox = devMailboxDecision(config);
  const credentials = demoToken
    ? `
  Compte usager de démo  : ${DEMO_CITIZEN.email} / ${DEMO_CITIZEN.password}
  Espace agents          : ${url}/backoffice (tous les agents de démo : mot de passe ${DEMO_AGENT_PASSWORD})
  Administratrice de démo: ${DEMO_ADMIN_EMAIL} / ${DEMO_AGENT_PASSWORD}
      code à 6 chiffres : clé TOTP ${DEMO_ADMIN_TOTP_SECRET} (oathtool --totp -b ${DEMO_ADMIN_TOTP_SECRET})
      ${demoAdminTotpUri()}
  Agent de démo          : julien.moreau@ville-de-demo.fr / ${DEMO_AGENT_PASSWORD} (accueil, sans second facteur)`
    : `
  Espace agents          : ${url}/backoffice
  Identifiants de démo   : affichés au premier démarrage seulement ; voir README.md, section « Démarrer »`;
  const token = demoToken
    ? `
  Jeton d’API de démo    : ${demoToken} (affiché cette fois seulement ; aussi dans ${tokenFile})
      curl -H "Authorization: Bearer ${demoToken}" ${url}/api/v1/cases`
    : `
  Jeton d’API de démo    : dans ${tokenFile} (lisible par ce seul compte), ou « guichet token create »
      curl -H "Authorization: Bearer $(cat ${tokenFile})" ${url}/api/v1/cases`;
  console.log(`
Guichet est prêt.
  Portail (démarches)    : ${url}/${credentials}
  Documentation de l’API : ${url}/api/docs
  Spécification OpenAPI  : ${url}/api/openapi.json
  Démarches (API)        : ${url}/api/v1/procedures
  Santé                  : ${url}/healthz, ${url}/readyz
  Circuits de traitement : ${url}/backoffice/admin/circuits (administratrice de démo, avec son code)${mailbox.served ? `
  Messages envoyés (démo): ${url}/dev/boite-mail` : ''}${token}
${mailbox.refusal ? `\n${mailbox.refusal}\n` : ''}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
