import type { Draft } from './repository.js';

/**
 * Who may open a draft. Its citizen, once it has one; before that, the browser that started it
 * (its visitor cookie). A citizen who signs in with that same browser takes the draft over
 * ("adopt"): the answers typed before signing in are not lost. Anybody else is told the draft
 * does not exist.
 */
export type DraftAccess = 'owner' | 'adopt' | 'none';

export function draftAccess(draft: Pick<Draft, 'citizenId' | 'visitorId'>, who: { citizenId: number | null; visitorId: string | null }): DraftAccess {
  if (draft.citizenId !== null) return who.citizenId === draft.citizenId ? 'owner' : 'none';
  if (draft.visitorId === null || who.visitorId === null || draft.visitorId !== who.visitorId) return 'none';
  return who.citizenId === null ? 'owner' : 'adopt';
}
