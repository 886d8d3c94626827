/** The privacy-request feature's controllers and providers, registered by ComplianceModule. */
export const PRIVACY_CONTROLLERS = [];
export const PRIVACY_PROVIDERS = [];
