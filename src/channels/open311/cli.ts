import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { channelOrganisation } from '../organisation.js';
import { open311Repository } from './repository.js';
import { setPublishesReports, setServiceCode } from './service.js';

export const OPEN311_USAGE = `  open311 list                   démarches et leur code de service Open311
  open311 expose <démarche> <code>
                                 propose la démarche aux applications de signalement (services.json)
  open311 withdraw <démarche>    retire la démarche des services Open311
  open311 public <démarche> oui|non
                                 le formulaire du portail dit que les signalements sont publics : ceux
                                 envoyés ensuite par le portail figurent dans la liste publique Open311`;

/** `guichet channels open311 …`: which procedures street-report applications see as services. */
export async function open311Command(db: Db, config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const organisation = await channelOrganisation(db.kysely, config);
  if (!organisation) {
    console.error('Aucune collectivité dans la base : lancez d’abord guichet seed ou guichet start.');
    return 1;
  }
  try {
    if (sub === 'list') {
      for (const p of await open311Repository.listProcedureCodes(db.kysely, organisation.id)) {
        console.log(`${p.slug}\t${p.code ?? '(non exposée)'}${p.code && !p.online ? ' (fermée en ligne : non proposée)' : ''}\t${p.title}`);
      }
      return 0;
    }
    if (sub === 'expose' && rest[0] && rest[1]) {
      await setServiceCode(db.kysely, organisation.id, rest[0], rest[1]);
      console.log(`Démarche « ${rest[0]} » proposée sous le code de service « ${rest[1]} ».`);
      return 0;
    }
    if (sub === 'public' && rest[0] && (rest[1] === 'oui' || rest[1] === 'non')) {
      await setPublishesReports(db.kysely, organisation.id, rest[0], rest[1] === 'oui');
      console.log(
        rest[1] === 'oui'
          ? `Démarche « ${rest[0]} » : le formulaire annonce que les signalements sont publics ; ceux envoyés désormais par le portail figurent dans la liste Open311.`
          : `Démarche « ${rest[0]} » : les signalements envoyés désormais par le portail restent privés.`,
      );
      return 0;
    }
    if (sub === 'withdraw' && rest[0]) {
      await setServiceCode(db.kysely, organisation.id, rest[0], null);
      console.log(`Démarche « ${rest[0]} » retirée des services Open311.`);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(error.detail ?? error.message);
    return 1;
  }
  console.error(`Usage : guichet channels\n${OPEN311_USAGE}`);
  return 2;
}
