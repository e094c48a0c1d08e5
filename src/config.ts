import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseCidrs } from './http/outbound.js';

/**
 * One validated, documented environment schema. Each variable carries the one-line doc that the
 * README's configuration table is generated from (`guichet config --markdown`), so the two never drift.
 */
interface Variable<T> {
  doc: string;
  default?: string;
  parse: (raw: string) => T;
}

class ConfigError extends Error {}

const integer = (min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`un entier entre ${min} et ${max} est attendu`);
  return n;
};
const text = (raw: string) => raw;
const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string) => {
    if (!(values as string[]).includes(raw)) throw new ConfigError(`valeurs possibles : ${values.join(', ')}`);
    return raw as T;
  };
const url =
  (...protocols: string[]) =>
  (raw: string) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError('une URL valide est attendue');
    }
    if (!protocols.includes(parsed.protocol)) throw new ConfigError(`le protocole doit être ${protocols.join(' ou ')}`);
    return raw.replace(/\/$/, '');
  };

/**
 * One trusted proxy: an IP address or a CIDR range. `true`, a hop count or a /0 range would trust
 * an X-Forwarded-For sent by anyone, who could then pick the address rate limits count against.
 */
function trustedProxy(entry: string): string {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  const bits = version === 4 ? 32 : 128;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= bits);
  if (version === 0 || !prefixOk || rest.length > 0) {
    throw new ConfigError(
      `« ${entry} » n’est ni une adresse IP ni une plage CIDR (1 bit au moins) : listez les adresses de vos proxies inverses, ex. 127.0.0.1,10.0.0.0/8 ; « true » ou un nombre de proxies feraient accepter un X-Forwarded-For forgé par n’importe qui`,
    );
  }
  return entry;
}

const variables = {
  PORT: { doc: 'Port HTTP sur lequel Guichet écoute.', default: '3000', parse: integer(0, 65535) },
  HOST: { doc: 'Adresse d’écoute (0.0.0.0 pour toutes les interfaces).', default: '127.0.0.1', parse: text },
  WEB_PROCESSES: {
    doc: 'Processus HTTP de `serve` et `start`, qui se partagent le port : 1 par défaut, « auto » pour un par cœur.',
    default: '1',
    parse: (raw: string) => (raw === 'auto' ? os.availableParallelism() : integer(1, 64)(raw)),
  },
  PUBLIC_URL: {
    doc: 'URL publique du service, utilisée dans les liens des courriels et des accusés de réception.',
    parse: url('http:', 'https:'),
  },
  DATA_DIR: {
    doc: 'Dossier des données : base SQLite (guichet.db) et pièces jointes.',
    default: './data',
    parse: (raw: string) => path.resolve(raw),
  },
  DATABASE_URL: {
    doc: 'postgres://… pour PostgreSQL ; vide pour la base SQLite embarquée dans DATA_DIR.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('postgres:', 'postgresql:')(raw)),
  },
  DATABASE_POOL_SIZE: { doc: 'Connexions PostgreSQL simultanées.', default: '10', parse: integer(1, 200) },
  DATABASE_PREPARED_STATEMENTS: {
    doc: 'true : chaque connexion PostgreSQL prépare une fois les requêtes qu’elle répète (moins d’analyse et de planification). false derrière un PgBouncer en mode transaction antérieur à 1.21.',
    default: 'true',
    parse: oneOf('true', 'false'),
  },
  LOG_LEVEL: {
    doc: 'Niveau de journalisation : fatal, error, warn, info, debug, trace ou silent.',
    default: 'info',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  },
  BODY_LIMIT: { doc: 'Taille maximale d’un corps de requête JSON, en octets.', default: '1048576', parse: integer(1024, 104857600) },
  ATTACHMENT_MAX_BYTES: {
    doc: 'Taille maximale d’une pièce jointe, en octets.',
    default: '20971520',
    parse: integer(1024, 1073741824),
  },
  TIMEZONE: { doc: 'Fuseau horaire de la collectivité (délais, numéros de dossier).', default: 'Europe/Paris', parse: text },
  SMTP_URL: {
    doc: 'Serveur d’envoi des courriels (smtp://… ou smtps://…). Vide : les messages sont enregistrés et lisibles dans le dossier et, en démonstration, dans la boîte /dev/boite-mail ; rien n’est envoyé.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('smtp:', 'smtps:')(raw)),
  },
  SMS_URL: {
    doc: 'Passerelle SMS (https://…) : Guichet y envoie en POST {"to", "text", "sender"} en JSON. Vide : les SMS sont seulement enregistrés dans le dossier.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('http:', 'https:')(raw)),
  },
  SMS_TOKEN: { doc: 'Jeton envoyé à la passerelle SMS (en-tête Authorization: Bearer).', default: '', parse: text },
  SMS_SENDER: { doc: 'Nom d’expéditeur des SMS (11 caractères au plus).', default: 'MAIRIE', parse: text },
  MAIL_FROM: { doc: 'Expéditeur des courriels envoyés aux usagers.', default: 'Guichet <ne-pas-repondre@guichet.localhost>', parse: text },
  SESSION_SECRET: {
    doc: 'Secret (32 caractères au moins) qui signe les cookies de session. Vide : tiré au hasard et gardé dans DATA_DIR/session-secret ; à fixer quand plusieurs serveurs partagent les sessions.',
    default: '',
    parse: (raw: string) => {
      if (raw !== '' && raw.length < 32) throw new ConfigError('32 caractères au moins sont attendus');
      return raw;
    },
  },
  DEV_MAILBOX: {
    doc: 'true : la boîte de développement /dev/boite-mail montre les messages enregistrés sans SMTP_URL (démonstration seulement ; « guichet start » l’active), si HOST est une adresse de bouclage (127.0.0.1, ::1, localhost) sans TRUST_PROXY.',
    default: 'false',
    parse: oneOf('true', 'false'),
  },
  TRUST_PROXY: {
    doc: 'Derrière un proxy inverse : adresses IP ou plages CIDR des proxies de confiance, séparées par des virgules (ex. 127.0.0.1,10.0.0.0/8). L’en-tête X-Forwarded-For, qui donne l’adresse réelle des visiteurs (limites de tentatives, journal des connexions), n’est lu que s’il vient de l’une d’elles. Vide : aucun proxy. « true » ou un nombre de proxies sont refusés : un X-Forwarded-For forgé passerait.',
    default: '',
    parse: (raw: string): string[] => (raw === '' || raw === 'false' ? [] : raw.split(',').map((entry) => trustedProxy(entry.trim()))),
  },
  FRANCECONNECT_ISSUER: {
    doc: 'Émetteur OpenID Connect de FranceConnect v2 (ex. https://fcp-low.sbx.dev-franceconnect.fr/api/v2). Vide : le bouton FranceConnect n’est pas proposé.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('http:', 'https:')(raw)),
  },
  FRANCECONNECT_CLIENT_ID: { doc: 'Identifiant client fourni par FranceConnect.', default: '', parse: text },
  FRANCECONNECT_CLIENT_SECRET: { doc: 'Secret client fourni par FranceConnect.', default: '', parse: text },
  PROCONNECT_ISSUER: {
    doc: 'Émetteur OpenID Connect de ProConnect pour la connexion des agents (ex. https://fca.integ01.dev-agentconnect.fr/api/v2). Vide : le bouton ProConnect n’est pas proposé.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('http:', 'https:')(raw)),
  },
  PROCONNECT_CLIENT_ID: { doc: 'Identifiant client fourni par ProConnect.', default: '', parse: text },
  PROCONNECT_CLIENT_SECRET: { doc: 'Secret client fourni par ProConnect.', default: '', parse: text },
  ADDRESS_API_URL: {
    doc: 'API Adresse (Base adresse nationale) pour compléter les adresses, ex. https://api-adresse.data.gouv.fr. Vide : saisie libre de l’adresse.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('http:', 'https:')(raw)),
  },
  MAP_TILE_URL: {
    doc: 'Modèle d’URL des tuiles de carte ({z}/{x}/{y}) pour situer un signalement. Vide : pas de carte, l’adresse suffit.',
    default: '',
    parse: text,
  },
  MAP_ATTRIBUTION: { doc: 'Mention des sources affichée sous la carte (obligatoire pour la plupart des fonds de carte).', default: '', parse: text },
  OUTBOUND_ALLOWED_CIDRS: {
    doc: 'Réseaux internes (CIDR séparés par des virgules, ex. 10.20.0.0/16,192.168.1.10/32) que Guichet peut appeler malgré la protection SSRF : webhooks, passerelle SMS, API Adresse, fournisseur OpenID Connect ou relais hébergés par la collectivité. Vide : seules les adresses publiques sont appelées.',
    default: '',
    parse: (raw: string) => {
      try {
        return parseCidrs(raw);
      } catch (error) {
        throw new ConfigError((error as Error).message);
      }
    },
  },
  // ── Channels (docs/channels.md) ──
  CHANNELS_ORGANISATION: {
    doc: 'Collectivité (identifiant court, ex. ville-de-demo) que les canaux de l’installation alimentent : réception SMTP, boîte IMAP, SMS, téléphonie. Vide : la première collectivité de la base.',
    default: '',
    parse: text,
  },
  CHANNELS_TRIAGE_PROCEDURE: {
    doc: 'Démarche (identifiant court) des demandes reçues par un canal sans démarche connue (courriel, SMS, réseaux sociaux) : elles arrivent dans la file de tri de l’accueil.',
    default: 'contact',
    parse: text,
  },
  // ── Channel: e-mail ──
  INBOUND_SMTP_PORT: {
    doc: 'Port du récepteur SMTP intégré (le MX ou l’alias de la commune y achemine ses courriels). Vide : récepteur arrêté.',
    default: '',
    parse: (raw: string): number | null => (raw === '' ? null : integer(0, 65535)(raw)),
  },
  INBOUND_SMTP_HOST: { doc: 'Adresse d’écoute du récepteur SMTP intégré.', default: '127.0.0.1', parse: text },
  INBOUND_EMAIL_DOMAINS: {
    doc: 'Domaines (séparés par des virgules) dont le récepteur SMTP accepte les destinataires ; les autres sont refusés (550). Vide : aucun destinataire accepté.',
    default: '',
    parse: (raw: string): string[] => raw.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean),
  },
  INBOUND_EMAIL_MAX_BYTES: { doc: 'Taille maximale d’un courriel reçu, en octets (au-delà : refusé en SMTP, mis en quarantaine par IMAP).', default: '26214400', parse: integer(1024, 1073741824) },
  INBOUND_SMTP_TLS_KEY: { doc: 'Clé privée TLS (chemin d’un fichier PEM) du récepteur SMTP : STARTTLS est proposé quand clé et certificat sont donnés.', default: '', parse: text },
  INBOUND_SMTP_TLS_CERT: { doc: 'Certificat TLS (chemin d’un fichier PEM) du récepteur SMTP.', default: '', parse: text },
  REPLY_ADDRESS: {
    doc: 'Adresse de réponse des courriels envoyés (ex. mairie@ville-de-demo.fr) : chaque envoi porte un Reply-To signé (mairie+r-…@…) qui rattache la réponse à son dossier. Vide : pas de jeton de réponse.',
    default: '',
    parse: (raw: string) => {
      if (raw !== '' && !/^[^\s@+]+@[^\s@]+\.[^\s@]+$/.test(raw)) throw new ConfigError('une adresse électronique sans « + » est attendue');
      return raw.toLowerCase();
    },
  },
  IMAP_URL: {
    doc: 'Boîte aux lettres existante relevée par IMAP (imap:// ou imaps://utilisateur:mot-de-passe@serveur:port/DOSSIER, dossier INBOX par défaut). Vide : pas de relève.',
    default: '',
    parse: (raw: string) => (raw === '' ? '' : url('imap:', 'imaps:')(raw)),
  },
  IMAP_PROCESSED_FOLDER: { doc: 'Dossier IMAP (créé au besoin, niveaux séparés par « / ») où sont rangés les courriels une fois enregistrés par Guichet.', default: 'Guichet/Traités', parse: text },
  IMAP_POLL_SECONDS: { doc: 'Intervalle de relève IMAP, en secondes, pour un serveur sans IDLE (avec IDLE, relève de secours).', default: '60', parse: integer(5, 86400) },
  // ── Channel: SMS ──
  SMS_WEBHOOK_PROVIDER: {
    doc: 'Format des SMS reçus sur POST /channels/sms/<fournisseur> : generic (JSON signé HMAC-SHA256, voir docs/channels/sms.md) ou twilio (formulaire signé X-Twilio-Signature).',
    default: 'generic',
    parse: oneOf('generic', 'twilio'),
  },
  SMS_WEBHOOK_SECRET: {
    doc: 'Secret qui signe les SMS reçus (pour twilio : le jeton d’authentification du compte). Vide : la réception des SMS est désactivée.',
    default: '',
    parse: text,
  },
  // ── Channel: telephony ──
  CTI_TOKEN: {
    doc: 'Jeton du webhook de téléphonie (POST /channels/phone/events, en-tête Authorization: Bearer …) que l’autocommutateur (IPBX) envoie avec chaque événement d’appel ; 32 caractères au moins. Vide : le webhook est fermé.',
    default: '',
    parse: (raw: string) => {
      if (raw !== '' && raw.length < 32) throw new ConfigError('32 caractères au moins sont attendus');
      return raw;
    },
  },
  // ── Channel: Open311 ──
  OPEN311_CONTACT: {
    doc: 'Contact publié par la découverte Open311 (/open311/v2/discovery) pour les développeurs d’applications de signalement. Vide : le nom de la collectivité.',
    default: '',
    parse: text,
  },
  OPEN311_KEY_SERVICE: {
    doc: 'Comment obtenir une clé api_key Open311, tel que publié par la découverte. Vide : un texte indiquant de la demander à la collectivité.',
    default: '',
    parse: text,
  },
  // ── Channel: webhooks ──
  WEBHOOKS_MAX_BODY_BYTES: {
    doc: 'Taille maximale du corps d’un envoi reçu par un webhook de réseau social ou de plateforme participative, en octets.',
    default: '262144',
    parse: integer(1024, 10485760),
  },
  WEBHOOKS_FETCH_TIMEOUT_MS: {
    doc: 'Délai maximal de téléchargement d’une pièce jointe citée par son adresse dans un envoi de webhook, en millisecondes.',
    default: '10000',
    parse: integer(100, 120000),
  },
  JOB_CONCURRENCY: { doc: 'Tâches de fond (envois, minuteries, webhooks) exécutées en parallèle par un processus.', default: '8', parse: integer(1, 256) },
} satisfies Record<string, Variable<unknown>>;

type Variables = typeof variables;
export type Config = { [K in keyof Variables]: ReturnType<Variables[K]['parse']> } & { publicUrl: string };

/**
 * Reads and validates the configuration; throws one error naming every bad variable, so a
 * misconfigured server refuses to start instead of failing on the first request.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables) as [string, Variable<unknown>][]) {
    const raw = env[name] ?? variable.default;
    if (raw === undefined) continue;
    try {
      result[name] = variable.parse(raw.trim());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(`${name}=${JSON.stringify(raw)} : ${error.message}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Configuration invalide :\n  - ${problems.join('\n  - ')}`);
  }
  const config = result as Config;
  config.publicUrl = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  return config;
}

/** The configuration table for the README, generated from the schema above. */
export function configMarkdown(): string {
  const rows = Object.entries(variables as Record<string, Variable<unknown>>).map(
    ([name, v]) => `| \`${name}\` | ${v.default === undefined ? '—' : v.default === '' ? '(vide)' : `\`${v.default}\``} | ${v.doc} |`,
  );
  return ['| Variable | Défaut | Rôle |', '| --- | --- | --- |', ...rows].join('\n');
}
