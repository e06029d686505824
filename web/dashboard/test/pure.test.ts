// The dashboard's pure helpers: hash routes, display formats, metadata validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMetadata } from '../src/components/MetadataEditor';
import { formatBytes, formatDuration, formatRelative, localInputToIso } from '../src/format';
import { parseRoute } from '../src/router';

test('parseRoute maps each hash to its page', () => {
  const cases: [string, ReturnType<typeof parseRoute>][] = [
    ['', { page: 'overview' }],
    ['#/', { page: 'overview' }],
    ['#/integrations', { page: 'integrations' }],
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
