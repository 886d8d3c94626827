export { RequestContextModule } from './request-context.module';
export { MissingTenantContextError, RequestContext } from './request-context.service';
export { registerRequestContextHooks } from './request-context.hook';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
export { Principal, PrincipalType, RequestContextStore, TenantContext } from './request-context.types';
