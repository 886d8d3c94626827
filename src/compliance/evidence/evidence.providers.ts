/** The SOC 2 evidence feature's controllers and providers, registered by ComplianceModule. */
export const EVIDENCE_CONTROLLERS = [];
export const EVIDENCE_PROVIDERS = [];
