import type { PagingShown } from '../../../domain/incidents/paging-shown.ts';
import { PAGING_BADGE } from './kit.ts';

/**
 * The paging badge every surface shows, from the one domain decision (paging-shown.ts): a resolved
 * incident, or a budget with no incident open, shows no PAGE or WARN badge whatever its figures say.
 */
export function pagingBadge(shown: PagingShown): string {
  switch (shown.kind) {
    case 'paging':
      return PAGING_BADGE[shown.paging];
    case 'resolved':
      return '— resolved';
    case 'all_clear':
      return PAGING_BADGE.OK;
    case 'still_burning':
      return shown.resolvedByHand ? '— resolved by hand' : '— no open incident';
  }
}
