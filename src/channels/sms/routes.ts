import { Type } from 'typebox';
import type { App } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { providerAnswer, readProviderSms, SMS_PROVIDERS, type SmsProviderName } from './providers.js';
import { receiveSms } from './service.js';

/** An SMS is at most a few kilobytes even concatenated; a provider's form adds its metadata. */
const MAX_BODY_BYTES = 65_536;

/**
 * `POST /channels/sms/<provider>`: an SMS the provider received for the town. The body is taken
 * as raw bytes, because the signature covers exactly what was sent; the provider's shape parses
 * it once the signature holds. This plugin is encapsulated: the raw parser applies here only.
 * The answer is a 2xx only once the SMS is durably recorded, so a provider retries otherwise.
 */
export async function smsRoutes(app: App): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));

  app.post(
    '/channels/sms/:provider',
    { schema: { hide: true, params: Type.Object({ provider: Type.String({ maxLength: 40 }) }) }, bodyLimit: MAX_BODY_BYTES },
    async (request, reply) => {
      const { config } = app.ctx;
      const provider = request.params.provider as SmsProviderName;
      if (!SMS_PROVIDERS.includes(provider) || provider !== config.SMS_WEBHOOK_PROVIDER) {
        throw new AppError('not_found', `La réception des SMS attend le format « ${config.SMS_WEBHOOK_PROVIDER} » (SMS_WEBHOOK_PROVIDER), sur /channels/sms/${config.SMS_WEBHOOK_PROVIDER}.`);
      }
      if (!config.SMS_WEBHOOK_SECRET) throw new AppError('not_found', 'La réception des SMS est désactivée : SMS_WEBHOOK_SECRET n’est pas configuré.');
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const sms = readProviderSms(provider, { body, headers: request.headers, publicUrl: `${config.publicUrl}${request.url}` }, config.SMS_WEBHOOK_SECRET, new Date());
      const result = await receiveSms(app.ctx, provider, sms);
      request.log.info({ inboundId: result.inboundId, outcome: result.outcome, duplicate: result.duplicate }, 'sms received');
      const answer = providerAnswer(provider, result.outcome);
      return reply.code(200).type(answer.contentType).send(answer.body);
    },
  );
}
