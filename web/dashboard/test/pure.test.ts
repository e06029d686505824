// The dashboard's pure helpers: hash routes, display formats, metadata validation, the
// catalog's search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogHash, configuredKeys, filterProviders, isCategory, searchWords, type Searchable } from '../src/catalog';
import { parseMetadata } from '../src/components/MetadataEditor';
import { formatBytes, formatDuration, formatRelative, localInputToIso } from '../src/format';
import { parseRoute } from '../src/router';

test('parseRoute maps each hash to its page', () => {
  const cases: [string, ReturnType<typeof parseRoute>][] = [
    ['', { page: 'overview' }],
    ['#/', { page: 'overview' }],
    ['#/integrations', { page: 'integrations' }],
    ['#/catalog', { page: 'catalog' }],
    ['#/catalog?search=crm&category=crm', { page: 'catalog' }],
    ['#/connections', { page: 'connections' }],
    ['#/connections?integration=jira', { page: 'connections' }],
    ['#/connections/jira/user-1', { page: 'connection', integration: 'jira', connectionId: 'user-1' }],
    ['#/connections/jira/a%2Fb%20c', { page: 'connection', integration: 'jira', connectionId: 'a/b c' }],
    ['#/connect', { page: 'connect' }],
    ['#/connect/jira', { page: 'connect', integration: 'jira' }],
    ['#/activity', { page: 'activity' }],
    ['#/activity?type=action', { page: 'activity' }],
    ['#/activity/42', { page: 'log', id: '42' }],
    ['#/actions/jira/echo', { page: 'actions', integration: 'jira', action: 'echo' }],
    ['#/connections/jira', { page: 'not_found', path: 'connections/jira' }],
    ['#/nowhere', { page: 'not_found', path: 'nowhere' }]
  ];
  for (const [hash, route] of cases) assert.deepEqual(parseRoute(hash), route, hash);
});

test('parseMetadata accepts only a JSON object', () => {
  assert.deepEqual(parseMetadata('{"team": "blue"}'), { value: { team: 'blue' } });
  for (const text of ['[]', 'null', '"x"', '3', '{', '']) {
    assert.ok('error' in parseMetadata(text), text);
  }
});

test('formats: durations, sizes, relative times, local inputs', () => {
  assert.equal(formatDuration(12.4), '12 ms');
  assert.equal(formatDuration(1500), '1.50 s');
  assert.equal(formatDuration(null), '–');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2048), '2.0 KiB');
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(formatRelative('2026-01-01T11:57:00Z', now), '3 min ago');
  assert.equal(formatRelative('2026-01-01T14:00:00Z', now), 'in 2 h');
  assert.equal(formatRelative(null, now), 'never');
  assert.equal(localInputToIso(''), '');
  assert.match(localInputToIso('2026-01-01T12:00'), /^2026-01-01T\d\d:00:00\.000Z$/);
});

test('filterProviders matches every search word in name, description, categories or auth mode', () => {
  const catalog: Searchable[] = [
    { name: 'jira', description: 'Jira and Confluence Cloud REST APIs', categories: ['project-management', 'ticketing'], auth_mode: 'OAUTH2' },
    { name: 'attio', description: 'Attio CRM API', categories: ['crm'], auth_mode: 'OAUTH2' },
    { name: 'pipedrive', description: 'Pipedrive deals and contacts', categories: ['crm'], auth_mode: 'API_KEY' },
    { name: 'stripe', description: 'Payments', categories: [], auth_mode: 'API_KEY' }
  ];
  const names = (search: string, category = '') => filterProviders(catalog, search, category).map((p) => p.name);
  assert.deepEqual(names(''), ['jira', 'attio', 'pipedrive', 'stripe']);
  assert.deepEqual(names('JIRA'), ['jira'], 'case-insensitive');
  assert.deepEqual(names('confluence'), ['jira'], 'in the description');
  assert.deepEqual(names('ticket'), ['jira'], 'in a category, as a substring');
  assert.deepEqual(names('api_key'), ['pipedrive', 'stripe'], 'in the auth mode');
  assert.deepEqual(names('crm oauth2'), ['attio'], 'every word');
  assert.deepEqual(names(' crm,\tapi_key '), ['pipedrive'], 'split at spaces, tabs and commas');
  assert.deepEqual(names('crm jira'), [], 'no provider has both');
  assert.deepEqual(names('', 'crm'), ['attio', 'pipedrive']);
  assert.deepEqual(names('deals', 'crm'), ['pipedrive']);
  assert.deepEqual(names('jira', 'crm'), []);
  // Only ASCII letters are folded, as on the server.
  assert.deepEqual(searchWords('CRM É'), ['crm', 'É']);
});

test('catalog helpers: categories, configured integrations, hashes', () => {
  assert.ok(isCategory('crm'));
  assert.ok(!isCategory('CRM'));
  assert.ok(!isCategory(''));
  const integrations = [
    { unique_key: 'jira', provider: 'jira', blueprint: 'jira:v0' },
    { unique_key: 'jira-eu', provider: 'jira', blueprint: 'jira:v0' },
    { unique_key: 'stripe', provider: 'stripe', blueprint: null }  // its own, no blueprint
  ];
  assert.deepEqual(configuredKeys(integrations, 'jira'), ['jira', 'jira-eu']);
  assert.deepEqual(configuredKeys(integrations, 'stripe'), []);
  assert.equal(catalogHash('', ''), '#/catalog');
  assert.equal(catalogHash('crm', 'crm'), '#/catalog?search=crm&category=crm');
  assert.equal(catalogHash('a b&c', ''), '#/catalog?search=a+b%26c');
});
