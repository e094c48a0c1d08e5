/** Where the workflow pages live in the back-office (the old `/admin/circuits` redirects here). */
export const WORKFLOWS_PATH = '/backoffice/admin/circuits';

/** A procedure's slug as the pages accept it: anything else is no procedure (and never reaches a Location header). */
export const SLUG = /^[a-z0-9-]{1,100}$/;
