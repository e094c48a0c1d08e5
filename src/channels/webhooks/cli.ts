import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { channelOrganisation } from '../organisation.js';
import { addSource, disableSource, listSources, rotateSecret } from './service.js';

export const WEBHOOK_USAGE = `  webhook add --slug <id> --name <nom> --mapping <fichier.json> [--procedure <démarche>]
              [--signature-header <en-tête>] [--signature-format timestamp.body|body]
              [--timestamp-header <en-tête>|""] [--delivery-header <en-tête>|""]
                                 déclare une source (le secret est affiché une seule fois)
  webhook list                   sources, état et dernier envoi
  webhook disable <id>           désactive une source (ses envois reçoivent 404)
  webhook rotate-secret <id>     remplace le secret d’une source (affiché une seule fois)`;

/** `guichet channels webhook …`: declares and manages the sources of the generic inbound webhook. */
export async function webhookCommand(db: Db, config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const organisation = await channelOrganisation(db.kysely, config);
  if (!organisation) {
    console.error('Aucune collectivité dans la base : lancez d’abord guichet seed ou guichet start.');
    return 1;
  }
  try {
    switch (sub) {
      case 'add':
        return await add(db, organisation.id, rest, config.publicUrl);
      case 'list': {
        const sources = await listSources(db, organisation.id);
        if (sources.length === 0) console.log('Aucune source de webhook.');
        for (const s of sources) {
          console.log(`${s.slug}\t${s.enabled ? 'active' : 'désactivée'}\t${s.name}\tdémarche : ${s.procedureSlug ?? '(tri)'}\tsignature : ${s.signatureHeader} (${s.signatureFormat})\tdernier envoi : ${s.lastDeliveryAt ?? 'aucun'}`);
        }
        return 0;
      }
      case 'disable': {
        if (!rest[0]) break;
        await disableSource(db, organisation.id, rest[0]);
        console.log(`Source « ${rest[0]} » désactivée.`);
        return 0;
      }
      case 'rotate-secret': {
        if (!rest[0]) break;
        const { secret } = await rotateSecret(db, organisation.id, rest[0]);
        console.log(`Nouveau secret de « ${rest[0]} » (affiché une seule fois ; l’ancien ne vaut plus) :\n${secret}`);
        return 0;
      }
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(error.detail ?? error.message);
    for (const e of error.errors) console.error(`  ${e.field} : ${e.message}`);
    return 1;
  }
  console.error(`Usage : guichet channels\n${WEBHOOK_USAGE}`);
  return 2;
}

async function add(db: Db, organisationId: number, args: string[], publicUrl: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      mapping: { type: 'string' },
      procedure: { type: 'string' },
      'signature-header': { type: 'string' },
      'signature-format': { type: 'string' },
      'timestamp-header': { type: 'string' },
      'delivery-header': { type: 'string' },
    },
    strict: true,
  });
  if (!values.slug || !values.name || !values.mapping) {
    console.error(`--slug, --name et --mapping sont obligatoires.\n${WEBHOOK_USAGE}`);
    return 2;
  }
  let mapping: unknown;
  try {
    mapping = JSON.parse(fs.readFileSync(values.mapping, 'utf8'));
  } catch (error) {
    console.error(`Impossible de lire la correspondance ${values.mapping} : ${(error as Error).message}`);
    return 1;
  }
  const { secret } = await addSource(db, organisationId, {
    slug: values.slug,
    name: values.name,
    mapping,
    procedureSlug: values.procedure ?? null,
    ...(values['signature-header'] !== undefined ? { signatureHeader: values['signature-header'] } : {}),
    ...(values['signature-format'] !== undefined ? { signatureFormat: values['signature-format'] } : {}),
    ...(values['timestamp-header'] !== undefined ? { timestampHeader: values['timestamp-header'] } : {}),
    ...(values['delivery-header'] !== undefined ? { deliveryHeader: values['delivery-header'] } : {}),
  });
  console.log(`Source « ${values.slug} » ajoutée. Adresse : ${publicUrl}/channels/webhooks/${values.slug}`);
  console.log(`Secret (affiché une seule fois, à copier dans la configuration de la plateforme) :\n${secret}`);
  return 0;
}
