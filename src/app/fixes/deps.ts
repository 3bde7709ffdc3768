import type { ApprovalPolicy } from '../../domain/fixpacks/run.ts';
import type { RuleThresholds } from '../../domain/rules/catalog.ts';
import type { CrmWriter } from '../crm/write-ports.ts';
import type { IncidentDeps } from '../incidents/deps.ts';
import type { ApproverDirectory, FixStore } from './ports.ts';

/** Configuration a plan depends on (owner pools, the owner → Slack map, the manager channel). */
export interface FixSettings {
  ownerPool: readonly string[];
  regionPools: Readonly<Record<string, readonly string[]>>;
  ownerSlack: Readonly<Record<string, string>>;
  managerChannel: string | null;
}

export interface FixDeps {
  fixes: FixStore;
  incident: IncidentDeps;
  approval: ApprovalPolicy;
  settings: FixSettings;
  thresholds: RuleThresholds;
  directory: ApproverDirectory;
  /**
   * The CRM approved fixes are written back to (issue 16); absent or null without one (no CRM configured):
   * fixes change the local copy only.
   */
  crm?: CrmWriter | null;
}
