/**
 * Form field components of the citizen portal and the parsing of what their forms post: the
 * interface the form flow (pages, drafts, uploads, submission) codes against. Nothing else of
 * this folder is meant to be imported from outside it (except `addressRoutes`, registered by the
 * portal plugin).
 *
 * Naming, shared by both sides: inputs are named by field path (`nom`, `adresse.postcode`,
 * `localisation.lat`, `responsables[0].nom`); checkboxes repeat their name; a file field posts its
 * kept attachment ids under its path, its removals as `<path>.__retirer`, its document-safe picks as
 * `<path>.__coffre` and its uploads as `fileInputName(path)`; group buttons post
 * `_action=add:<path>` / `remove:<path>[i]`; hidden conditional fields are rendered in a `hidden`
 * wrapper carrying `data-visible-when`.
 */
export type { FieldRenderContext, UploadedFile } from './parts.js';
export { FormFields } from './form-fields.js';
export { fileInputName, inputIdOf } from './paths.js';
export { applyGroupAction, readFileActions, readPostedValues } from './posted.js';
export { AnswerList } from './answers.js';
