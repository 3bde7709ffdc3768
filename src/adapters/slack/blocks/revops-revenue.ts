import type { RevopsView } from '../../../app/revops/view.ts';
import {
  churnReasonTable,
  cohortTable,
  factLine,
  hasRevopsData,
  mrrTable,
  revenueFacts,
} from '../../../app/revops/view-tables.ts';
import { fitEscaped, type Rendered, section } from './kit.ts';
import {
  capAt,
  factsSection,
  NO_REVOPS_DATA,
  periodContext,
  tableOrNone,
  viewMessage,
} from './revops-kit.ts';

/**
 * `/revops revenue` (ephemeral) and an insight's "Show revenue": MRR, ARR, churn, NRR and GRR with their
 * change; the MRR movement per month (start, new, expansion, reactivation, contraction, churn, end); why
 * customers churned; and cohort retention as a section of its own (share of each start month's customers
 * still paying k months later).
 */

const COHORT_MONTHS = 6;
const REASONS = 5;

export function renderRevopsRevenue(v: Pick<RevopsView, 'period' | 'report'>, chartNote?: string): Rendered {
  const r = v.report;
  const rev = r.revenue;
  const facts = revenueFacts(r);
  const text = fitEscaped(`Revenue, ${v.period.label}: ${facts.slice(0, 4).map(factLine).join(', ')}`, 2_900);
  const body = (scale: number) => {
    if (!hasRevopsData(r)) return [section(NO_REVOPS_DATA)];
    const reasons = churnReasonTable(rev);
    return [
      factsSection(facts),
      tableOrNone(
        'MRR movement by month',
        mrrTable(rev),
        'No MRR history in this period.',
        capAt(2_200, scale),
      ),
      tableOrNone(
        'Churn reasons',
        { ...reasons, rows: reasons.rows.slice(0, REASONS) },
        ':white_check_mark: No customer churned in this period.',
        capAt(800, scale),
      ),
      { type: 'divider' as const },
      tableOrNone(
        `Cohort retention: customers still paying, months after their start (M0 … M${COHORT_MONTHS})`,
        cohortTable(rev, 'logo', COHORT_MONTHS),
        'No cohorts yet.',
        capAt(2_200, scale),
      ),
    ];
  };
  return {
    text,
    blocks: viewMessage(':moneybag: Revenue', periodContext(v.period.label, r.filter), body, [
      '`leak revops revenue` also shows MRR retention by cohort',
      chartNote,
    ]),
  };
}
