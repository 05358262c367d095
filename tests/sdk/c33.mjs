// C33: the official HighLevel JavaScript SDK (@gohighlevel/api-client) pointed at the
// ghl-console sandbox on loopback. It lists, searches, reads, creates, updates and deletes
// contacts, tags, tasks and notes, and checks every answer.
//
//   node tests/sdk/c33.mjs BASE_URL TOKEN LOCATION_ID
//   GHL_SANDBOX_URL=... GHL_SANDBOX_TOKEN=... GHL_SANDBOX_LOCATION=... node tests/sdk/c33.mjs
//
// Safety: the SDK's default base URL is the real GHL API. The script refuses any base URL that
// is not plain http on a loopback address, points the SDK's HTTP client at it before any call,
// and refuses (in a request interceptor, before anything is sent) every request that would
// leave for another origin. Prints one `ok` line per call and `c33: ok` at the end; on any
// failure prints `c33: FAILED: ...` and exits 1.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { HighLevel, GHLNotFoundError, GHLValidationError } = require('@gohighlevel/api-client');
const SDK_VERSION = require('@gohighlevel/api-client/package.json').version;

function fail(message) {
  console.error(`c33: FAILED: ${message}`);
  process.exit(1);
}

const [argUrl, argToken, argLocation] = process.argv.slice(2);
const base = argUrl ?? process.env.GHL_SANDBOX_URL;
const token = argToken ?? process.env.GHL_SANDBOX_TOKEN;
const locationId = argLocation ?? process.env.GHL_SANDBOX_LOCATION;
if (!base || !token || !locationId) {
  fail('usage: c33.mjs BASE_URL TOKEN LOCATION_ID (or GHL_SANDBOX_URL, GHL_SANDBOX_TOKEN, GHL_SANDBOX_LOCATION)');
}

let origin;
try {
  const url = new URL(base);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'http:' || !loopback) throw new Error('not loopback');
  origin = url.origin;
} catch {
  fail(`the base URL must be http on a loopback address (the sandbox), not ${JSON.stringify(base)}`);
}

/** A client on the sandbox: the base URL is set before the first call can be made. */
function sandboxClient(apiVersion) {
  const ghl = new HighLevel({
    privateIntegrationToken: token,
    ...(apiVersion ? { apiVersion } : {}),
    // The expected 404 and 400 below would each log an error; failures are reported by step().
    logLevel: process.env.GHL_SDK_LOG ?? 'none',
  });
  // The SDK has no base-URL option: its axios instance is created with the static, private
  // HighLevel.BASE_URL, and every service sends relative paths through that one instance,
  // which getHttpClient() returns "for advanced usage".
  const http = ghl.getHttpClient();
  http.defaults.baseURL = origin;
  http.defaults.proxy = false; // never through an HTTP(S)_PROXY from the environment
  http.interceptors.request.use((config) => {
    const target = new URL(config.url ?? '', config.baseURL ?? 'http://unset.invalid');
    if (target.origin !== origin) {
      throw new Error(`refused to send a request to ${target.origin}: only ${origin} is allowed`);
    }
    return config;
  });
  return ghl;
}

const seen = { versions: new Set(), calls: 0 };
function record(ghl) {
  ghl.getHttpClient().interceptors.request.use((config) => {
    seen.versions.add(String(config.headers?.Version));
    seen.calls += 1;
    return config;
  });
}

async function step(name, run) {
  try {
    const detail = await run();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    // A GHLError carries the HTTP status and the answer's body.
    const status = error?.statusCode;
    const body = error?.response;
    const extra = status ? ` (HTTP ${status}${body ? ` ${JSON.stringify(body)}` : ''})` : '';
    fail(`${name}: ${error?.message ?? error}${extra}`);
  }
}

const ghl = sandboxClient();
record(ghl);
const contacts = ghl.contacts;
const stamp = Date.now();
const email = `sdk.c33.${stamp}@example.test`;
let contact;
let task;
let note;

await step(`SDK ${SDK_VERSION} defaults`, () => {
  assert.equal(ghl.getConfig().apiVersion, '2023-02-21', 'the SDK default API version');
  assert.equal(ghl.getHttpClient().defaults.baseURL, origin);
  return `Version ${ghl.getConfig().apiVersion}, base ${origin}`;
});

await step('a request for another origin is refused before it is sent', async () => {
  // 127.0.0.2:9 is loopback too, so even a broken guard sends nothing off this machine.
  await assert.rejects(ghl.request({ method: 'GET', url: 'http://127.0.0.2:9/contacts/' }), (error) => {
    assert.match(String(error?.message), /refused to send a request to http:\/\/127\.0\.0\.2:9/);
    return true;
  });
});

await step('getContacts (GET /contacts/)', async () => {
  const page = await contacts.getContacts({ locationId, limit: 5 });
  assert.ok(Array.isArray(page.contacts), 'contacts is an array');
  assert.ok(page.contacts.length > 0 && page.contacts.length <= 5, `1 to 5 contacts, got ${page.contacts.length}`);
  assert.equal(typeof page.meta?.total, 'number', 'meta.total');
  return `${page.contacts.length} of ${page.meta.total}`;
});

await step('searchContactsAdvanced (POST /contacts/search)', async () => {
  const found = await contacts.searchContactsAdvanced({ locationId, pageLimit: 3, page: 1 });
  assert.ok(Array.isArray(found.contacts), 'contacts is an array');
  assert.ok(found.contacts.length > 0 && found.contacts.length <= 3);
  assert.equal(typeof found.total, 'number');
  return `${found.contacts.length} of ${found.total}`;
});

await step('createContact (POST /contacts/)', async () => {
  const created = await contacts.createContact({
    locationId,
    firstName: 'Sdk',
    lastName: 'Cthirtythree',
    email,
    phone: '+15550103333',
    tags: ['sdk-c33'],
    source: 'official js sdk',
  });
  contact = created.contact;
  assert.ok(contact?.id, 'the new contact has an id');
  assert.equal(contact.locationId, locationId);
  assert.equal(contact.email, email);
  assert.deepEqual(contact.tags, ['sdk-c33']);
  return contact.id;
});

await step('getContact (GET /contacts/{contactId})', async () => {
  const read = await contacts.getContact({ contactId: contact.id });
  assert.equal(read.contact.id, contact.id);
  assert.equal(read.contact.firstName, 'Sdk');
  assert.equal(read.contact.lastName, 'Cthirtythree');
  assert.equal(read.contact.email, email);
  assert.equal(read.contact.phone, '+15550103333');
});

await step('getDuplicateContact (GET /contacts/search/duplicate)', async () => {
  const dup = await contacts.getDuplicateContact({ locationId, email: email.toUpperCase() });
  assert.equal(dup.contact?.id, contact.id);
});

await step('searchContactsAdvanced by query', async () => {
  const found = await contacts.searchContactsAdvanced({ locationId, pageLimit: 10, query: email });
  assert.ok(found.contacts.some((c) => c.id === contact.id), 'the new contact is found by its email');
});

await step('updateContact (PUT /contacts/{contactId})', async () => {
  const updated = await contacts.updateContact({ contactId: contact.id }, { firstName: 'Sdkupdated', city: 'Lisbon' });
  assert.equal(updated.succeded, true);
  assert.equal(updated.contact.firstName, 'Sdkupdated');
  const read = await contacts.getContact({ contactId: contact.id });
  assert.equal(read.contact.firstName, 'Sdkupdated');
  assert.equal(read.contact.city, 'Lisbon');
});

await step('upsertContact (POST /contacts/upsert)', async () => {
  const upserted = await contacts.upsertContact({ locationId, email, lastName: 'Upserted' });
  assert.equal(upserted.new, false, 'an existing email updates');
  assert.equal(upserted.contact.id, contact.id);
});

await step('addTags / removeTags (POST, DELETE /contacts/{contactId}/tags)', async () => {
  const added = await contacts.addTags({ contactId: contact.id }, { tags: ['sdk-extra'] });
  assert.ok(added.tags.includes('sdk-extra') && added.tags.includes('sdk-c33'), JSON.stringify(added.tags));
  const removed = await contacts.removeTags({ contactId: contact.id }, { tags: ['sdk-extra'] });
  assert.deepEqual(removed.tags, ['sdk-c33']);
});

await step('createTask (POST /contacts/{contactId}/tasks)', async () => {
  const created = await contacts.createTask(
    { contactId: contact.id },
    { title: 'Call back about the SDK', body: 'C33', dueDate: '2030-01-15T10:00:00Z', completed: false },
  );
  task = created.task;
  assert.ok(task?.id, 'the new task has an id');
  assert.equal(task.title, 'Call back about the SDK');
  assert.equal(task.completed, false);
  return task.id;
});

await step('getAllTasks / getTask', async () => {
  const all = await contacts.getAllTasks({ contactId: contact.id });
  assert.deepEqual(all.tasks.map((t) => t.id), [task.id]);
  const one = await contacts.getTask({ contactId: contact.id, taskId: task.id });
  assert.equal(one.task.title, 'Call back about the SDK');
  assert.equal(one.task.body, 'C33');
  assert.ok(one.task.dueDate.startsWith('2030-01-15T10:00:00'), one.task.dueDate);
});

await step('updateTask / updateTaskCompleted', async () => {
  const updated = await contacts.updateTask({ contactId: contact.id, taskId: task.id }, { title: 'Called back' });
  assert.equal(updated.task.title, 'Called back');
  const done = await contacts.updateTaskCompleted({ contactId: contact.id, taskId: task.id }, { completed: true });
  assert.equal(done.task.completed, true);
  const one = await contacts.getTask({ contactId: contact.id, taskId: task.id });
  assert.equal(one.task.completed, true);
});

await step('createNote (POST /contacts/{contactId}/notes)', async () => {
  const created = await contacts.createNote({ contactId: contact.id }, { body: 'Spoke through the official SDK' });
  note = created.note;
  assert.ok(note?.id, 'the new note has an id');
  assert.equal(note.body, 'Spoke through the official SDK');
  return note.id;
});

await step('getAllNotes / getNote / updateNote', async () => {
  const all = await contacts.getAllNotes({ contactId: contact.id });
  assert.deepEqual(all.notes.map((n) => n.id), [note.id]);
  const one = await contacts.getNote({ contactId: contact.id, id: note.id });
  assert.equal(one.note.body, 'Spoke through the official SDK');
  const updated = await contacts.updateNote({ contactId: contact.id, id: note.id }, { body: 'Edited through the SDK' });
  assert.equal(updated.note.body, 'Edited through the SDK');
  const again = await contacts.getNote({ contactId: contact.id, id: note.id });
  assert.equal(again.note.body, 'Edited through the SDK');
});

await step('getAppointmentsForContact (GET /contacts/{contactId}/appointments)', async () => {
  const appointments = await contacts.getAppointmentsForContact({ contactId: contact.id });
  assert.ok(Array.isArray(appointments.events), 'events is an array');
});

await step('getContactsByBusinessId (GET /contacts/business/{businessId})', async () => {
  const members = await contacts.getContactsByBusinessId({ businessId: 'sdkC33NoSuchBusiness', locationId, limit: 10 });
  assert.deepEqual(members.contacts, []);
  assert.equal(members.count, 0);
});

await step('deleteNote / deleteTask', async () => {
  const noteGone = await contacts.deleteNote({ contactId: contact.id, id: note.id });
  assert.equal(noteGone.succeded, true);
  const taskGone = await contacts.deleteTask({ contactId: contact.id, taskId: task.id });
  assert.equal(taskGone.succeded, true);
  assert.deepEqual((await contacts.getAllNotes({ contactId: contact.id })).notes, []);
  assert.deepEqual((await contacts.getAllTasks({ contactId: contact.id })).tasks, []);
});

await step('deleteContact, then getContact is a GHLNotFoundError', async () => {
  const gone = await contacts.deleteContact({ contactId: contact.id });
  assert.equal(gone.succeded, true);
  await assert.rejects(contacts.getContact({ contactId: contact.id }), (error) => {
    assert.ok(error instanceof GHLNotFoundError, `${error?.name}: ${error?.message}`);
    assert.equal(error.statusCode, 404);
    return true;
  });
});

await step('the other published version, 2021-07-28', async () => {
  const older = sandboxClient('2021-07-28');
  record(older);
  const page = await older.contacts.getContacts({ locationId, limit: 1 });
  assert.equal(page.contacts.length, 1);
});

await step('an unknown version is refused (400)', async () => {
  const wrong = sandboxClient('2020-01-01');
  await assert.rejects(wrong.contacts.getContacts({ locationId, limit: 1 }), (error) => {
    assert.ok(error instanceof GHLValidationError, `${error?.name}: ${error?.message}`);
    assert.equal(error.statusCode, 400);
    return true;
  });
});

await step('versions sent', () => {
  assert.deepEqual([...seen.versions].sort(), ['2021-07-28', '2023-02-21']);
  return `${[...seen.versions].sort().join(', ')} over ${seen.calls} calls`;
});

console.log('c33: ok');
