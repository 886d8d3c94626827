import { scimErrorOf } from './scim-http';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('scimErrorOf', () => {
  it('says what the problem said, with the status as a string and the scimType of its code', () => {
    const problem = { type: 'urn:atrium:problem:scim-invalid-filter', status: 400, code: 'SCIM_INVALID_FILTER', detail: 'Bad filter.' };
    expect(scimErrorOf(JSON.stringify(problem))).toEqual({
      schemas: [ERROR],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'Bad filter.',
    });
  });

  it('lists field errors in the detail, and gives no scimType where RFC 7644 has none', () => {
    const validation = {
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'Invalid.',
      errors: [{ field: 'body', message: 'must be an object' }],
    };
    expect(scimErrorOf(JSON.stringify(validation))).toMatchObject({ scimType: 'invalidValue', detail: 'Invalid. body: must be an object' });
    expect(scimErrorOf(JSON.stringify({ status: 401, code: 'INVALID_CREDENTIALS', detail: 'No.' }))).toEqual({
      schemas: [ERROR],
      status: '401',
      detail: 'No.',
    });
  });

  it('answers a body it cannot read as a 500', () => {
    expect(scimErrorOf('not json')).toMatchObject({ status: '500' });
  });
});
