/** The retention and legal-hold feature's controllers and providers, registered by ComplianceModule. */
export const RETENTION_CONTROLLERS = [];
export const RETENTION_PROVIDERS = [];
