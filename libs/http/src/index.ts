export * from './app-error';
export { PROBLEM_CONTENT_TYPE, ProblemDetails, problem, problemFromAppError, problemType, statusOf } from './problem-details';
export { ProblemDetailsFilter } from './problem-details.filter';
export { createValidationPipe, toFieldErrors } from './validation';
export { registerJsonBodyParser } from './json-body-parser';
