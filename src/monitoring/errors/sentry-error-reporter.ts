import { Injectable } from '@nestjs/common';
import * as Sentry from '@sentry/nestjs';
import { ErrorReporter } from '@app/http';
import { RequestContext } from '@app/request-context';

/** Sends 5xx errors to Sentry (when SENTRY_DSN is set), tagged so an event leads back to its request. */
@Injectable()
export class SentryErrorReporter implements ErrorReporter {
  constructor(private readonly context: RequestContext) {}

  report(error: unknown, details: { requestId: string; route: string; status: number }): void {
    if (!Sentry.isInitialized()) return;
    Sentry.withScope((scope) => {
      scope.setTags({
        request_id: details.requestId,
        route: details.route,
        status: String(details.status),
        org_id: this.context.orgId ?? 'none',
      });
      Sentry.captureException(error);
    });
  }
}
