/** The compliance-report feature's controllers and providers, registered by ComplianceModule. */
export const REPORT_CONTROLLERS = [];
export const REPORT_PROVIDERS = [];
