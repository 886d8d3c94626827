export * from './app-error';
export { PROBLEM_CONTENT_TYPE, ProblemDetails, problem, problemFromAppError, problemType, statusOf } from './problem-details';
export { ERROR_REPORTER, ErrorReporter, ProblemDetailsFilter } from './problem-details.filter';
export { OmittableNotNull, WithinStorableDates, createValidationPipe, toFieldErrors } from './validation';
export { registerJsonBodyParser } from './json-body-parser';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageQuery, decodeCursor, encodeCursor, toPage } from './pagination';
export { UuidParam } from './uuid-param';
export { assertIfMatch, etagOf, etagOfJson, matchesIfNoneMatch } from './etag';
export { EtagInterceptor } from './etag.interceptor';
