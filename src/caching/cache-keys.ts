/** The global epoch every cache token starts with; bumped after an outage an instance noticed. */
export const EPOCH_KEY = 'cache-epoch';

/** The version stamp of one org's resource type (see cache-versions.ts). */
export const versionKey = (orgId: string, resource: string): string => `cache-version:${orgId}:${resource}`;
