import { signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { caller, createContact } from '../../support/client';
import { createActivity, createPrivacyRequest, distinctiveSubject, waitUntilDone } from './privacy-support';

/** GDPR Art. 17(3)(e): what a legal hold covers is withheld from an erasure, and the certificate says so. */

const suite = useTestApp();
const call = caller(() => suite.app);

it('withholds a held contact and its notes, and erases the subject’s other records', async () => {
  const owner = await signup(suite.app);
  const subject = distinctiveSubject();
  const held = await createContact(suite.app, owner, { firstName: subject.firstName, lastName: subject.lastName, email: subject.email });
  const free = await createContact(suite.app, owner, { firstName: 'Other', lastName: 'Record', email: subject.email });
  const heldNote = await createActivity(call, owner, held.id, { subject: `Call with ${subject.email}` });
  const hold = await call('POST', '/v1/legal-holds', owner.token, { scope: 'contact', contactId: held.id, reason: 'Pending lawsuit' });
  expect(hold.statusCode).toBe(201);

  const request = await createPrivacyRequest(call, owner, 'erasure', subject.email);
  const done = await waitUntilDone(call, owner.token, request.id);
  expect(done.status).toBe('completed');

  expect((await call('GET', `/v1/contacts/${held.id}`, owner.token)).json()).toMatchObject({
    firstName: subject.firstName,
    email: subject.email,
  });
  expect((await call('GET', `/v1/contacts/${free.id}`, owner.token)).json()).toMatchObject({ firstName: '[erased]', email: null });
  expect((await call('GET', `/v1/activities/${heldNote.id}`, owner.token)).json()).toMatchObject({ subject: `Call with ${subject.email}` });
  const certificate = (await call('GET', `/v1/privacy/requests/${request.id}/certificate`, owner.token)).json().certificate;
  expect(certificate.records).toMatchObject({ contactsWithheld: 1, contactsAnonymised: 1 });
});

it('erases nothing while the whole organization is on hold', async () => {
  const owner = await signup(suite.app);
  const subject = distinctiveSubject();
  const contact = await createContact(suite.app, owner, { firstName: subject.firstName, lastName: subject.lastName, email: subject.email });
  expect((await call('POST', '/v1/legal-holds', owner.token, { scope: 'organization', reason: 'Regulator inquiry' })).statusCode).toBe(201);

  const request = await createPrivacyRequest(call, owner, 'erasure', subject.email);
  expect((await waitUntilDone(call, owner.token, request.id)).status).toBe('completed');
  expect((await call('GET', `/v1/contacts/${contact.id}`, owner.token)).json()).toMatchObject({ firstName: subject.firstName });
  const certificate = (await call('GET', `/v1/privacy/requests/${request.id}/certificate`, owner.token)).json().certificate;
  expect(certificate.records).toMatchObject({ contactsWithheld: 1, contactsAnonymised: 0 });
});
