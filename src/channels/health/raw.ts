import type { Config } from '../../config.js';
import { notFound } from '../../http/errors.js';
import { rawMailStore } from '../email/receive.js';
import type { Inbound } from '../inbound-repository.js';

/** An item as received, for an admin to download. */
export interface RawItem {
  contentType: string;
  filename: string;
  body: Buffer;
}

/**
 * The item exactly as it arrived: an e-mail's raw bytes from the mail store (its `raw_key`), or
 * for every other channel — and an e-mail refused before its body was read — the JSON payload
 * the channel kept on the receipt.
 */
export async function rawOf(config: Pick<Config, 'DATA_DIR'>, item: Inbound): Promise<RawItem> {
  if (item.channel === 'email' && item.rawKey) {
    try {
      return { contentType: 'message/rfc822', filename: `message-${item.id}.eml`, body: await rawMailStore(config).read(item.rawKey) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('Le message brut n’est plus dans le stockage des courriels reçus.');
      throw err;
    }
  }
  return {
    contentType: 'application/json; charset=utf-8',
    filename: `element-${item.id}.json`,
    body: Buffer.from(JSON.stringify(item.payload ?? null, null, 2)),
  };
}
