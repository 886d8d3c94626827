import { Injectable } from '@nestjs/common';
import { ErrorReporter } from '@app/http';
import { RequestContext } from '@app/request-context';
import { sentryIfEnabled } from '../tracing/instrumentation';

/** Sends 5xx errors to Sentry (when SENTRY_DSN is set), tagged so an event leads back to its request. */
@Injectable()
export class SentryErrorReporter implements ErrorReporter {
  constructor(private readonly context: RequestContext) {}

  report(error: unknown, details: { requestId: string; route: string; status: number }): void {
    const Sentry = sentryIfEnabled();
    if (!Sentry) return;
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
