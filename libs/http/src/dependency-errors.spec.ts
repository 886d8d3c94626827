import { ConnectionException, ServerException } from '@mikro-orm/core';
import { classifyDependencyError } from './dependency-errors';

/** Errors shaped as pg, knex/tarn and MikroORM raise them. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

describe('classifyDependencyError', () => {
  it.each([
    [pgError('57P01', 'terminating connection due to administrator command'), 'admin_shutdown'],
    [pgError('57P03', 'the database system is starting up'), 'cannot_connect_now'],
    [pgError('53300', 'sorry, too many clients already'), 'too_many_connections'],
    [pgError('08006', 'connection failure'), 'connection_exception'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'econnrefused'],
    [
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
      'pool_timeout',
    ],
    [new Error('Connection terminated unexpectedly'), 'connection_terminated'],
    [new ConnectionException(pgError('57P01', 'terminating connection due to administrator command')), 'admin_shutdown'],
    [new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })]), 'econnrefused'],
    [new Error('query failed', { cause: new Error('Connection terminated due to connection timeout') }), 'connection_terminated'],
  ])('classifies case %# as %s', (error, reason) => {
    expect(classifyDependencyError(error)).toEqual({ dependency: 'database', reason });
  });

  it.each([
    [new Error('boom')] as [unknown],
    [new ServerException(pgError('23505', 'duplicate key value violates unique constraint'))],
    [pgError('22P02', 'invalid input syntax for type uuid')],
    // A client's value inside a failed statement's text must not read as an outage.
    [
      new ServerException(
        pgError('22P02', `insert into "contacts" ("first_name") values ('Connection terminated') - invalid input syntax for type json`),
      ),
    ],
    [new Error(`update "companies" set "name" = 'Timeout acquiring a connection' - some other failure`)],
    ['a string'],
    [null],
  ])('leaves case %# to the ordinary error handling', (error) => {
    expect(classifyDependencyError(error)).toBeNull();
  });
});
