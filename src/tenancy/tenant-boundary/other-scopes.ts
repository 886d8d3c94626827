import { SetMetadata } from '@nestjs/common';

export const WORKS_IN_OTHER_SCOPES = 'atrium:works-in-other-scopes';

/**
 * A mutating route whose work is for another organization or for the user (creating an org,
 * switching to one): its handler's transactions cannot join the caller's org transaction that the
 * audit interceptor would hold around it, and would wait for a second pooled connection while that
 * one is held, so enough concurrent requests would exhaust the pool and wait on each other. Such a
 * route runs outside that transaction; its audit event is appended after the handler, as for a
 * failed request.
 */
export const WorksInOtherScopes = (): MethodDecorator => SetMetadata(WORKS_IN_OTHER_SCOPES, true);
