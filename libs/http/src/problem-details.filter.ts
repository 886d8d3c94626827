import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { DEPENDENCY_RETRY_AFTER_SECONDS, DependencyFailures, classifyDependencyError } from './dependency-errors';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem, problemFromAppError } from './problem-details';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * The one place errors become HTTP responses: RFC 9457 problem+json for everything, including
 * Fastify's body-size and media-type errors and Nest's unknown-route 404. A 5xx says nothing internal;
 * the error is logged with the request id instead.
 */
/** Where 5xx errors are reported besides the log (error tracking); provided by the monitoring module. */
export const ERROR_REPORTER = Symbol('ERROR_REPORTER');

export interface ErrorReporter {
  report(error: unknown, context: { requestId: string; route: string; status: number }): void;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);
  private readonly dependencyFailures = new DependencyFailures();

  constructor(@Optional() @Inject(ERROR_REPORTER) private readonly reporter?: ErrorReporter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = request.id;

    // An unavailable dependency is an outage, not a bug: 503 with Retry-After, logged once, not reported.
    // An AppError already says what it is (a store that is away is its own 503 with its own code).
    const unavailable = exception instanceof HttpException || exception instanceof AppError ? null : classifyDependencyError(exception);
    if (unavailable) {
      if (this.dependencyFailures.record(unavailable)) {
        this.logger.warn(
          { err: exception, requestId, ...unavailable },
          `${unavailable.dependency} unavailable: answering 503 until it returns`,
        );
      }
      const body = problem(503, 'SERVICE_UNAVAILABLE', `The ${unavailable.dependency} is unavailable; retry shortly.`, requestId);
      void reply
        .status(503)
        .header('retry-after', String(DEPENDENCY_RETRY_AFTER_SECONDS))
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(body);
      return;
    }
    const body = this.toProblem(exception, request, requestId);
    if (exception instanceof AppError && exception.kind === 'unavailable') {
      // A service's own 503 (sessions cannot be checked, say) is an outage too: counted, logged once, not reported.
      const failure = classifyDependencyError(exception.options.cause) ?? {
        dependency: exception.options.dependency ?? 'shared-store',
        reason: exception.code.toLowerCase(),
      };
      if (this.dependencyFailures.record(failure)) {
        this.logger.warn({ err: exception, requestId, ...failure }, `${failure.dependency} unavailable: answering 503 until it returns`);
      }
    } else if (body.status >= 500) {
      this.logger.error({ err: exception, requestId, method: request.method, url: request.url }, 'Unhandled error');
      this.reporter?.report(exception, { requestId, route: request.routeOptions.url ?? 'unmatched', status: body.status });
    }
    if (exception instanceof AppError && exception.options.headers) reply.headers(exception.options.headers);
    if (body.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer');
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  private toProblem(exception: unknown, request: FastifyRequest, requestId: string): ProblemDetails {
    if (exception instanceof AppError) return problemFromAppError(exception, requestId);
    if (exception instanceof HttpException) return this.fromHttpException(exception, request, requestId);
    return problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred. Quote the request id if you report it.', requestId);
  }

  private fromHttpException(exception: HttpException, request: FastifyRequest, requestId: string): ProblemDetails {
    const status = exception.getStatus();
    if (status >= 500) {
      return problem(
        status,
        status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR',
        'The service could not complete the request.',
        requestId,
      );
    }
    // Nest's router answers unknown routes with a NotFoundException ("Cannot GET /x").
    if (status === 404 && !request.routeOptions.url) {
      return problem(404, 'ROUTE_NOT_FOUND', `No route matches ${request.method} ${request.url.split('?')[0]}.`, requestId);
    }
    // Nest re-wraps Fastify's own client errors (size, media type) as HttpExceptions with their status.
    if (status === 413) return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts.', requestId);
    if (status === 415) return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.', requestId);
    return problem(status, CODE_BY_STATUS[status] ?? 'CLIENT_ERROR', exception.message, requestId);
  }
}
