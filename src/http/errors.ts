/**
 * The one catalogue of errors Guichet reports. Each entry has a stable code (part of the API
 * contract: integrations switch on it), an HTTP status and a French title. Domain code throws
 * `AppError`; the HTTP layer renders it as RFC 9457 problem+json (API) or an error page (UI).
 */
export const catalogue = {
  validation_failed: { status: 422, title: 'Certaines informations sont invalides.' },
  malformed_json: { status: 400, title: 'Le corps de la requête n’est pas un JSON valide.' },
  bad_request: { status: 400, title: 'La requête est invalide.' },
  unsupported_media_type: { status: 415, title: 'Ce type de contenu n’est pas accepté.' },
  payload_too_large: { status: 413, title: 'La requête est trop volumineuse.' },
  unauthenticated: { status: 401, title: 'Authentification requise.' },
  forbidden: { status: 403, title: 'Vous n’avez pas les droits nécessaires pour cette action.' },
  not_found: { status: 404, title: 'Ressource introuvable.' },
  unknown_procedure: { status: 422, title: 'Cette démarche n’existe pas.' },
  procedure_closed: { status: 422, title: 'Cette démarche n’est pas ouverte à cette saisie.' },
  anonymous_not_allowed: { status: 422, title: 'Cette démarche ne peut pas être faite de façon anonyme.' },
  unknown_attachment: { status: 422, title: 'Une pièce jointe citée est introuvable ou déjà utilisée.' },
  attachment_type_refused: { status: 415, title: 'Ce type de fichier n’est pas accepté.' },
  idempotency_key_reused: {
    status: 422,
    title: 'Cette clé d’idempotence a déjà servi pour une requête différente.',
  },
  no_workflow: { status: 422, title: 'Ce dossier ne suit aucun circuit de traitement.' },
  transition_unknown: { status: 404, title: 'Cette action n’existe pas dans le circuit de ce dossier.' },
  transition_not_available: { status: 409, title: 'Cette action n’est pas possible dans l’état actuel du dossier.' },
  transition_forbidden: { status: 403, title: 'Votre rôle ne permet pas cette action sur ce dossier.' },
  version_conflict: {
    status: 409,
    title: 'Le dossier a été modifié entre-temps : rechargez-le avant de recommencer.',
  },
  csrf_failed: {
    status: 403,
    title: 'Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.',
  },
  rate_limited: { status: 429, title: 'Trop de requêtes : réessayez dans un instant.' },
  unavailable: { status: 503, title: 'Le service est momentanément indisponible.' },
  internal: { status: 500, title: 'Une erreur interne est survenue. Elle a été enregistrée.' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof catalogue;

/** A field-level error: `field` is a path into the request ("citizen.email", "data.children[0].name"). */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** An error the client can act on; anything else is an internal error whose details stay in the logs. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail ?? catalogue[code].title);
    this.status = catalogue[code].status;
  }
}

/** Shorthand for the most frequent error: one or more invalid fields. */
export function invalid(errors: FieldError[], detail?: string): AppError {
  return new AppError('validation_failed', detail ?? `${errors.length} champ(s) à corriger.`, errors);
}

export function notFound(detail?: string): AppError {
  return new AppError('not_found', detail);
}
