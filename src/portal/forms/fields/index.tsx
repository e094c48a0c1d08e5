/**
 * Form field components of the citizen portal and the parsing of what their forms post: the
 * contract the form flow (pages, drafts, uploads, submission) codes against. See
 * .prof/forms-contract.md; nothing else of this folder is meant to be imported from outside.
 */
export type { FieldRenderContext, UploadedFile } from './parts.js';
export { FormFields } from './form-fields.js';
export { fileInputName, inputIdOf } from './paths.js';
export { applyGroupAction, readFileActions, readPostedValues } from './posted.js';
export { AnswerList } from './answers.js';
