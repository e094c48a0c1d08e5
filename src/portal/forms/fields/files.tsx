/**
 * `file`: the files already attached (each with « Retirer »), documents of the citizen's safe
 * that fit, and the file input, with the accepted formats and size said before any upload.
 */
import type { FileField } from '../../../procedures/form/definition.js';
import { DEFAULTS } from '../../../procedures/form/definition.js';
import { accepts, describeTypes, formatSize } from '../../../attachments/service.js';
import type { VaultDocument } from '../../space/vault-repository.js';
import { describedBy, ErrorMessage, Hint, listOf, Optional } from './parts.js';
import type { ControlProps } from './controls.js';
import { fileInputName, inputIdOf, partIdOf, removeInputName, vaultInputName } from './paths.js';

/** The default of config ATTACHMENT_MAX_BYTES, said when the page does not pass the installation's limit. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/** Documents of the safe a file field accepts, not expired. */
export function vaultChoices(field: FileField, vault: VaultDocument[], today = new Date().toISOString().slice(0, 10)): VaultDocument[] {
  return vault.filter((document) => (!field.accept || accepts(field.accept, document.mimeType)) && (document.expiresOn === null || document.expiresOn >= today));
}

/** "Formats acceptés : PDF, JPEG. Taille maximale : 5 Mo par fichier. 3 fichiers au plus." */
export function fileLimits(field: FileField, installationMax = DEFAULT_MAX_BYTES): string {
  const maxFiles = field.maxFiles ?? DEFAULTS.maxFiles;
  const many = maxFiles > 1;
  return [
    `Formats acceptés : ${describeTypes(field.accept)}.`,
    `Taille maximale : ${formatSize(Math.min(field.maxSizeBytes ?? Infinity, installationMax))}${many ? ' par fichier' : ''}.`,
    many ? `${maxFiles} fichiers au plus.` : '',
  ].filter(Boolean).join(' ');
}

export function FileInput({ field, path, value, context }: ControlProps<FileField>) {
  const id = inputIdOf(path);
  const error = context.errors.get(path);
  const kept = listOf(value);
  const maxFiles = field.maxFiles ?? DEFAULTS.maxFiles;
  const hintId = `${id}-hint`;
  const errorId = error ? `${id}-error` : null;
  const vault = vaultChoices(field, context.vault);
  return (
    <div class={`form-field form-file${error ? ' form-field--error' : ''}`}>
      <label for={id}>
        {field.label}
        <Optional field={field} />
      </label>
      <Hint id={hintId}>
        {field.hint ? `${field.hint} ` : ''}
        {fileLimits(field, context.maxUploadBytes)}
      </Hint>
      <ErrorMessage id={`${id}-error`} message={error} />
      {kept.length > 0 ? (
        <div class="form-file-list">
          <p class="form-label-text" id={partIdOf(path, 'joints')}>
            {kept.length > 1 ? 'Fichiers joints' : 'Fichier joint'}
          </p>
          <ul aria-labelledby={partIdOf(path, 'joints')}>
            {kept.map((attachmentId, index) => {
              const upload = context.uploads.get(attachmentId);
              const removeId = partIdOf(path, `retirer-${index + 1}`);
              return (
                <li>
                  <input type="hidden" name={path} value={attachmentId} />
                  <span class="form-file-name">{upload ? upload.filename : 'Fichier joint'}</span>
                  {upload ? <span class="form-file-size"> ({formatSize(upload.size)})</span> : null}
                  <span class="form-choice form-choice--small">
                    <input type="checkbox" id={removeId} name={removeInputName(path)} value={attachmentId} />
                    <label for={removeId}>
                      Retirer<span class="sr-only"> {upload ? `« ${upload.filename} »` : 'ce fichier'}</span>
                    </label>
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      {vault.length > 0 ? (
        <fieldset class="form-fieldset form-vault">
          <legend>Utiliser un document de mon porte-documents</legend>
          <div class="form-choices">
            {vault.map((document) => {
              const choiceId = partIdOf(path, `coffre-${document.id}`);
              return (
                <div class="form-choice">
                  <input type="checkbox" id={choiceId} name={vaultInputName(path)} value={String(document.id)} />
                  <label for={choiceId}>
                    {document.label} <span class="form-file-size">({document.filename}, {formatSize(document.size)})</span>
                  </label>
                </div>
              );
            })}
          </div>
        </fieldset>
      ) : null}
      <div class="form-file-input">
        <input
          type="file"
          id={id}
          name={fileInputName(path)}
          class="form-input-file"
          accept={(field.accept ?? ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic']).join(',')}
          {...(maxFiles > 1 ? { multiple: true } : {})}
          {...describedBy(hintId, errorId)}
        />
      </div>
    </div>
  );
}
