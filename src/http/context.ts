import type { FastifyInstance, FastifyBaseLogger, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AttachmentStorage } from '../attachments/storage.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { TokenPrincipal } from '../tokens/service.js';

/** What every module's routes can reach: the database, the configuration, the file store. */
export interface AppContext {
  db: Db;
  config: Config;
  storage: AttachmentStorage;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    principal: TokenPrincipal | null;
  }
}

/** A Fastify instance whose route schemas are TypeBox: handlers get typed bodies and params. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;
