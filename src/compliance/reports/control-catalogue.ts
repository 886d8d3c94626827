import { EvidenceRecord } from '../evidence';

/** What a reader of the report needs to judge a control without our source code. */
export interface ControlDescription {
  /** The control, as the organization relies on it. */
  readonly description: string;
  /** How Atrium tested it for the report, and what counts as an exception. */
  readonly procedure: string;
}

/**
 * The controls the evidence checks test, by check id. Kept beside the report rather than on the
 * checks: this is what the report states to an auditor, and a change to it shows in review as a
 * change of the report's wording. A check missing here still prints, with its criteria only.
 */
export const CONTROLS: Readonly<Record<string, ControlDescription>> = {
  'access-snapshot': {
    description: 'Logical access is restricted to authorized members; access is reviewed, and dormant privileged accounts are removed.',
    procedure:
      'At generation time, listed every member of the organization with role, permissions, account age and last sign-in. ' +
      'Exception: a privileged member (owner or admin permissions) who has not signed in for 90 days or more.',
  },
  'sign-in-assurance': {
    description:
      'Members authenticate with a second factor or through the organization’s enforced single sign-on; privileged access never rests on a password alone.',
    procedure:
      'At generation time, listed every member with their role, the time their second factor (TOTP) was confirmed, and whether enforced ' +
      'single sign-on governs them (email in a verified domain, password sign-in refused); recorded the MFA policy. Exception: a member ' +
      'with neither while the organization requires MFA, or an owner or admin with neither.',
  },
  provisioning: {
    description: 'Access is granted through invitations and removed promptly, the removed member’s sessions ending with the removal.',
    procedure:
      'Listed the invitations accepted and the members removed in the period from the audit log, and measured the time from each ' +
      'removal to the revocation of the member’s sessions. Exception: no revocation recorded, or one more than an hour late.',
  },
  'scim-deprovisioning': {
    description:
      'Access is removed when the organization’s identity provider deprovisions a person (SCIM): membership, sessions and their API keys end together.',
    procedure:
      'Listed the deprovisionings the identity provider made through SCIM in the period, from the audit log, and at generation time ' +
      'looked for anyone SCIM deprovisioned who still holds a membership or a usable API key. Exception: any such person.',
  },
  'api-keys': {
    description: 'Machine credentials (API keys) are scoped, used, and rotated within a year.',
    procedure:
      'At generation time, listed every API key that can still authenticate with its scopes, age, last use and expiry. ' +
      'Exception: unused for 90 days or more, or older than the 365-day rotation limit.',
  },
  monitoring: {
    description: 'Security events are recorded in a tamper-evident audit log and monitored; scheduled jobs and alert rules are in force.',
    procedure:
      'Verified the organization’s audit hash chain end to end, counted failed sign-ins and permission denials in the period, ' +
      'and listed scheduled-job outcomes and the alert rules in force. A broken chain fails the control; a missing rules file is an exception.',
  },
  'change-management': {
    description: 'Changes reach production as versioned builds with reviewed, recorded schema migrations.',
    procedure:
      'At generation time, recorded the running build (version, commit) and every database migration applied, with its time. ' +
      'Exception: a migration the build ships that is not applied.',
  },
  disposal: {
    description: 'Data past its retention period is disposed of on schedule, except where a legal hold suspends disposal.',
    procedure:
      'Listed the retention runs started in the period with outcome and counts of rows deleted or anonymised, and the legal holds ' +
      'active at the end of the period or placed or released in it. Exception: a failed retention run.',
  },
  'privacy-requests': {
    description: 'Data subjects can access, correct and erase their personal information within the legal deadline.',
    procedure:
      'Listed the data-subject requests received, completed or open in the period and judged each against its due date ' +
      '(the extended one if extended). Exception: completed late, or still open past its due date at the end of the period.',
  },
};

export const NO_ACTIVITY = 'no activity in period';

/**
 * The result a reader sees. A check that passed with nothing to examine did not show the control
 * operating: it reads "no activity in period", never "pass".
 */
export function resultLabel(record: Pick<EvidenceRecord, 'result' | 'populationCount' | 'exceptions'>): string {
  if (record.result === 'pass' && record.populationCount === 0 && record.exceptions.length === 0) return NO_ACTIVITY;
  return record.result;
}
