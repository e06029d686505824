// Checks openapi/ferry.openapi.json against the real server: every operation of the document
// is called (successes and errors), and each answer must have a status the operation
// documents, a content type it documents for that status, and a body its schema accepts.
// An operation the suite never called fails the last test.
//
// Environment (run-suite.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { checkRequest, checkResponse, doc, operations, pendingSeen, record, templateRegex, unexercised } from './openapi_check.mjs';
import { freePort, startFakeAtlassian, startFerry, stopAll } from './servers.mjs';

const ferryBinary = process.env.FERRY_BINARY;
const fakeBinary = process.env.FAKE_ATLASSIAN_BINARY;
const skipReason = ferryBinary && fakeBinary ? false : 'FERRY_BINARY and FAKE_ATLASSIAN_BINARY must be set';

const secretKey = 'openapi-secret-key-0123456789abcdef';
const publicKey = 'openapi-public-key-0123456789abcdef';
const maxBodyBytes = 65536;
const acme = '1324a887-45db-1bf4-1e99-ef0ff456d421';
const kStepTimeoutMs = 30_000;

let ferryUrl;
let fakeUrl;

/**
 * Sends one request for `operationId` and checks the answer. `expect`: the status the test
 * expects. Options: query, headers, body (object: JSON; string: as is), auth (default: the
 * secret key unless a session is given; false: none), session (a dashboard session from
 * signIn(): its cookie), csrf (true: the session's X-Ferry-CSRF header), accept.
 */
async function call(operationId, method, path, expect, options = {}) {
    const entry = operations.get(operationId);
    assert.ok(entry, `no operation ${operationId} in the document`);
    assert.equal(entry.method, method.toLowerCase(), `${operationId} is ${entry.method}, not ${method}`);
    assert.match(path.split('?')[0], templateRegex(entry.path), `${path} does not fit ${entry.path}`);
    const url = new URL(ferryUrl + path);
    for (const [name, value] of Object.entries(options.query || {})) url.searchParams.set(name, value);
    const headers = { ...(options.headers || {}) };
    const auth = options.auth ?? (options.session ? false : true);
    if (auth !== false) headers.Authorization = `Bearer ${auth === true ? secretKey : auth}`;
    if (options.session) headers.Cookie = options.session.cookie;
    if (options.csrf) headers['X-Ferry-CSRF'] = options.session.csrf;
    headers.Accept = options.accept || 'application/json';
    let body;
    if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['Content-Type'] = headers['Content-Type'] || 'application/json';
    }
    const raw = await fetch(url, { method, headers, body, redirect: 'manual' });
    const response = { status: raw.status, headers: raw.headers, text: await raw.text() };
    const where = `${method} ${url.pathname}${url.search}`;

    const pending = entry.op['x-ferry-pending'] && response.status === 404 &&
        response.text.includes('"no route for');
    if (pending) {
        // Described ahead of its route (the document says so): nothing to check yet.
        pendingSeen.add(operationId);
    } else {
        checkResponse(operationId, where, response);
        if (expect !== undefined) {
            assert.equal(response.status, expect, `${where}: expected ${expect}, got ${response.status}: ${response.text.slice(0, 300)}`);
        }
        if (response.status < 300) checkRequest(operationId, where, url, headers, options.body);
    }
    record(operationId, response.status);
    response.json = () => JSON.parse(response.text);
    return response;
}

/** A websocket upgrade (or not) at `/`, over node:http: resolves with {status, headers, text, socket}. */
function upgrade(headers) {
    return new Promise((resolvePromise, reject) => {
        const req = httpRequest(ferryUrl + '/', { headers });
        req.on('upgrade', (res, socket) => resolvePromise({ status: res.statusCode, headers: res.headers, text: '', socket }));
        req.on('response', (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => { text += chunk; });
            res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.end();
    });
}

const websocketHeaders = {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13'
};

/** Checks a node:http answer for GET / (the websocket upgrade or the dashboard's page). */
function checkUpgrade(where, answer) {
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) headers.set(name, String(value));
    checkResponse('getRoot', where, { status: answer.status, headers, text: answer.text });
    record('getRoot', answer.status);
}

async function adminFake(path, body, method = 'POST') {
    const response = await fetch(`${fakeUrl}/__admin/${path}`, { method, body: body && JSON.stringify(body) });
    assert.equal(response.status, 200, await response.text());
}

/** Runs a whole OAuth flow through fake-atlassian for `connectionId`; returns the callback answer. */
async function oauthFlow(connectionId) {
    const start = await call('oauthConnect', 'GET', '/oauth/connect/jira', 302,
        { auth: false, accept: 'text/html', query: { public_key: publicKey, connection_id: connectionId } });
    const consent = await fetch(start.headers.get('location'), { redirect: 'manual' });
    assert.equal(consent.status, 302, await consent.text());
    const back = new URL(consent.headers.get('location'));
    assert.equal(back.origin + back.pathname, `${ferryUrl}/oauth/callback`);
    return call('oauthCallback', 'GET', '/oauth/callback' + back.search, 200, { auth: false, accept: 'text/html' });
}

function integrationsYaml(fake, closed) {
    const jira = (extra = '') => `    extends_blueprint: jira:v0
    oauth_client_id: fake-client-id
    oauth_client_secret: fake-client-secret
    oauth_scopes: [read:jira-work, write:jira-work, read:jira-user, offline_access]
${extra}`;
    return `integrations:
  jira:
${jira(`    auth:
      authorization_url: ${fake}/authorize
      token_url: ${fake}/oauth/token
    requests:
      base_url: ${fake}/
`)}  slow:
${jira(`    http_request_timeout_seconds: 1
    retry:
      max_attempts: 1
    auth:
      token_url: ${fake}/oauth/token
    requests:
      base_url: ${fake}/
`)}  broken:
${jira(`    retry:
      max_attempts: 1
    auth:
      token_url: ${closed}/oauth/token
    requests:
      base_url: ${closed}/
`)}  machine-broken:
${jira(`    auth:
      grant_type: client_credentials
      token_url: ${closed}/oauth/token
    requests:
      base_url: ${closed}/
`)}  machine:
${jira(`    auth:
      grant_type: client_credentials
      token_url: ${fake}/oauth/token
    requests:
      base_url: ${fake}/
`)}  close:
    extends_blueprint: close
`;
}

/** A JWT signed as Atlassian signs an OAuth 2.0 app's webhook deliveries (HS256, the client secret). */
function atlassianJwt(secret = 'fake-client-secret') {
    const now = Math.floor(Date.now() / 1000);
    const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'fake-client-id', iat: now, exp: now + 180 })}`;
    return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

const kFarFuture = '2099-01-01T00:00:00Z';
const kPast = '2020-01-01T00:00:00Z';
function oauthCredentials(token, expiresAt = kFarFuture, refresh = `rt-${token}`) {
    return { type: 'OAUTH2', access_token: token, refresh_token: refresh, expires_at: expiresAt };
}

describe('the OpenAPI description against the real server', { skip: skipReason, timeout: 40 * kStepTimeoutMs }, () => {
    const opts = { timeout: kStepTimeoutMs };

    let receiver;

    before(async () => {
        fakeUrl = await startFakeAtlassian(fakeBinary);
        // The webhook receiver: takes every connection event.
        receiver = createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
        await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
        const port = await freePort();
        const closedPort = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        await startFerry(ferryBinary, {
            'ferry.yaml': `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
                `secret_key: ${secretKey}\npublic_key: ${publicKey}\nmax_request_body_bytes: ${maxBodyBytes}\n` +
                'max_websockets_per_client: 2\n' +
                `webhook_url: http://127.0.0.1:${receiver.address().port}/hooks\n`,
            'integrations.yaml': integrationsYaml(fakeUrl, `http://127.0.0.1:${closedPort}`),
            'jira/echo.action.lua': 'return function(nango, input) return { echo = input } end\n',
            'jira/refuse.action.lua':
                'return function(nango, input) error({ message = "refused on purpose", reason = "test" }) end\n'
        });
    });

    after(async () => {
        await stopAll();
        receiver.close();
    });

    test('the server and its description', opts, async () => {
        await call('health', 'GET', '/health', 200, { auth: false });
        const served = await call('getOpenApi', 'GET', '/openapi.json', 200, { auth: false });
        assert.deepEqual(served.json(), doc, 'the served document is the repository\'s');
        const sdk = await call('getFrontendSdk', 'GET', '/sdk/ferry-frontend.js', 200, { auth: false });
        assert.ok(sdk.text.length > 0);
    });

    test('providers', opts, async () => {
        await call('listProviders', 'GET', '/providers', 200);
        await call('listProviders', 'GET', '/providers', 200, { query: { search: 'jir' } });
        const crm = await call('listProviders', 'GET', '/providers', 200, { query: { category: 'crm', search: 'oauth2' } });
        const crmProviders = crm.json().data;
        assert.ok(crmProviders.length > 0 && crmProviders.every((p) => p.categories.includes('crm') && p.auth_mode === 'OAUTH2'));
        await call('listProviders', 'GET', '/providers', 400, { query: { category: 'no-such-category' } });
        await call('listProviders', 'GET', '/providers', 401, { auth: false });
        await call('listProviders', 'GET', '/providers', 401, { auth: 'wrong-key' });
        await call('getProvider', 'GET', '/providers/jira', 200);
        await call('getProvider', 'GET', '/providers/close', 200);
        await call('getProvider', 'GET', '/providers/no-such-provider', 404);
        await call('getProvider', 'GET', '/providers/jira', 401, { auth: false });
    });

    test('integrations', opts, async () => {
        await call('listIntegrations', 'GET', '/integrations', 200);
        await call('listIntegrations', 'GET', '/integrations', 401, { auth: false });
        await call('getIntegration', 'GET', '/integrations/jira', 200);
        await call('getIntegration', 'GET', '/integrations/jira', 200, { query: { include: 'credentials' } });
        await call('getIntegration', 'GET', '/integrations/close', 200, { query: { include: 'credentials' } });
        await call('getIntegration', 'GET', '/integrations/no-such-integration', 404);
        await call('getIntegration', 'GET', '/integrations/jira', 401, { auth: false });
    });

    test('POST /connections', opts, async () => {
        await call('importConnection', 'POST', '/connections', 201, {
            body: {
                provider_config_key: 'jira', connection_id: 'oa-1',
                credentials: { ...oauthCredentials('at-oa-1'), raw: { access_token: 'at-oa-1', expires_in: 3600 } },
                connection_config: { cloudId: acme }, metadata: { a: 1 }
            }
        });
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'close', connection_id: 'oa-1', credentials: { type: 'API_KEY', apiKey: 'key-1' } }
        });
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'close', credentials: { type: 'API_KEY', api_key: 'key-2' } }
        });
        // Expired, with a refresh token the provider does not know: its refresh is refused.
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'jira', connection_id: 'oa-revoked', credentials: oauthCredentials('at-x', kPast, 'unknown-rt') }
        });
        // Expired on an integration whose token endpoint does not answer.
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'broken', connection_id: 'oa-broken', credentials: oauthCredentials('at-b', kPast) }
        });
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'broken', connection_id: 'oa-broken-fresh', credentials: oauthCredentials('at-bf') }
        });
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'slow', connection_id: 'oa-slow', credentials: oauthCredentials('at-s', kPast) }
        });
        await call('importConnection', 'POST', '/connections', 201, {
            body: { provider_config_key: 'slow', connection_id: 'oa-slow-fresh', credentials: oauthCredentials('at-sf') }
        });

        // A client_credentials integration gets its tokens from the provider (scripted here).
        await adminFake('faults', { path_prefix: '/oauth/token', action: 'status', status: 200,
            headers: { 'Content-Type': 'application/json' }, body: { access_token: 'cc-1', expires_in: 3600, token_type: 'Bearer' } });
        await call('importConnection', 'POST', '/connections', 201, { body: { provider_config_key: 'machine', connection_id: 'svc-1' } });
        await adminFake('faults', { path_prefix: '/oauth/token', action: 'status', status: 401, body: { error: 'invalid_client' } });
        await call('importConnection', 'POST', '/connections', 424, { body: { provider_config_key: 'machine', connection_id: 'svc-2' } });
        await adminFake('faults', null, 'DELETE');
        await call('importConnection', 'POST', '/connections', 502, { body: { provider_config_key: 'machine-broken', connection_id: 'svc-3' } });

        // An existing connection is overridden.
        await call('importConnection', 'POST', '/connections', 200, {
            body: {
                provider_config_key: 'close', connection_id: 'oa-1', credentials: { type: 'API_KEY', apiKey: 'key-1b' },
                end_user: { id: 'u-1', email: 'u1@example.com', display_name: 'U One', tags: { seat: 'a' } },
                tags: { plan: 'pro' }, webhook_url_override: null
            }
        });
        await call('importConnection', 'POST', '/connections', 400, {
            body: {
                provider_config_key: 'close', connection_id: 'oa-1', credentials: { type: 'API_KEY', apiKey: 'key-1' },
                webhook_url_override: 'https://hooks.example/'
            }
        });
        await call('importConnection', 'POST', '/connections', 400, { body: '{not json' });
        await call('importConnection', 'POST', '/connections', 400, { body: [1, 2] });
        await call('importConnection', 'POST', '/connections', 400, {
            body: { provider_config_key: 'close', connection_id: 'oa-2', credentials: { type: 'OAUTH2', access_token: 'x' } }
        });
        await call('importConnection', 'POST', '/connections', 404, {
            body: { provider_config_key: 'no-such-integration', credentials: { type: 'API_KEY', apiKey: 'k' } }
        });
        await call('importConnection', 'POST', '/connections', 401, { auth: false, body: { provider_config_key: 'close' } });
        await call('importConnection', 'POST', '/connections', 413, {
            body: { provider_config_key: 'close', padding: 'x'.repeat(maxBodyBytes + 1) }
        });
    });

    test('GET /connections', opts, async () => {
        const all = await call('listConnections', 'GET', '/connections', 200);
        assert.ok(all.json().connections.length >= 8);
        await call('listConnections', 'GET', '/connections', 200, { query: { connectionId: 'oa-1', integrationId: 'jira,close', limit: '10', page: '0' } });
        const filtered = await call('listConnections', 'GET', '/connections', 200, {
            query: {
                endUserId: 'u-1', userId: 'u-1', endUserOrganizationId: 'no-org', search: 'OA-', 'tags[plan]': 'pro'
            }
        });
        assert.deepEqual(filtered.json().connections, [], 'the end user has no organization');
        const tagged = await call('listConnections', 'GET', '/connections', 200, { query: { search: 'u1@', 'tags[PLAN]': 'pro' } });
        assert.deepEqual(tagged.json().connections.map((c) => c.connection_id), ['oa-1']);
        await call('listConnections', 'GET', '/connections', 400, { query: { limit: 'many' } });
        await call('listConnections', 'GET', '/connections', 400, { query: { end_user_id: 'u-1' } });
        await call('listConnections', 'GET', '/connections', 401, { auth: false });
    });

    test('PATCH /connections/{id}', opts, async () => {
        await call('patchConnection', 'PATCH', '/connections/oa-1', 200, {
            query: { provider_config_key: 'close' },
            body: { end_user: { id: 'u-2', email: 'u2@example.com' }, tags: { plan: 'free' }, webhook_url_override: null }
        });
        await call('patchConnection', 'PATCH', '/connections/oa-1', 400, { query: { provider_config_key: 'close' }, body: {} });
        await call('patchConnection', 'PATCH', '/connections/oa-1', 400, { body: { tags: {} } });
        await call('patchConnection', 'PATCH', '/connections/missing', 404, { query: { provider_config_key: 'close' }, body: { tags: {} } });
        await call('patchConnection', 'PATCH', '/connections/oa-1', 401, { auth: false, query: { provider_config_key: 'close' }, body: { tags: {} } });
        await call('patchConnection', 'PATCH', '/connections/oa-1', 413, {
            query: { provider_config_key: 'close' }, body: { tags: { padding: 'x'.repeat(maxBodyBytes + 1) } }
        });
    });

    test('GET /connections/{id}', opts, async () => {
        await call('getConnection', 'GET', '/connections/oa-1', 200, { query: { provider_config_key: 'jira' } });
        await call('getConnection', 'GET', '/connections/oa-1', 200, {
            query: { provider_config_key: 'jira', force_refresh: 'false', refresh_token: 'true', refresh_github_app_jwt_token: 'false' }
        });
        await call('getConnection', 'GET', '/connections/oa-1', 200, { query: { provider_config_key: 'close' } });
        await call('getConnection', 'GET', '/connections/svc-1', 200, { query: { provider_config_key: 'machine' } });
        await call('getConnection', 'GET', '/connections/oa-1', 400);
        await call('getConnection', 'GET', '/connections/missing', 404, { query: { provider_config_key: 'jira' } });
        await call('getConnection', 'GET', '/connections/oa-1', 404, { query: { provider_config_key: 'no-such-integration' } });
        await call('getConnection', 'GET', '/connections/oa-1', 401, { auth: false, query: { provider_config_key: 'jira' } });
        await call('getConnection', 'GET', '/connections/oa-revoked', 424, { query: { provider_config_key: 'jira' } });
        await call('getConnection', 'GET', '/connections/oa-broken', 502, { query: { provider_config_key: 'broken' } });
        await adminFake('faults', { path_prefix: '/oauth/token', action: 'delay', delay_ms: 3000 });
        await call('getConnection', 'GET', '/connections/oa-slow', 504, { query: { provider_config_key: 'slow' } });
        await adminFake('faults', null, 'DELETE');
    });

    test('connection metadata', opts, async () => {
        for (const [operationId, method] of [['setMetadata', 'POST'], ['updateMetadata', 'PATCH']]) {
            await call(operationId, method, '/connections/metadata', 200, {
                body: { provider_config_key: 'jira', connection_id: 'oa-1', metadata: { b: { x: 1 } } }
            });
            await call(operationId, method, '/connections/metadata', 200, {
                body: { provider_config_key: 'jira', connection_id: ['oa-1', 'oa-revoked'], metadata: { c: true } }
            });
            await call(operationId, method, '/connections/metadata', 400, { body: { provider_config_key: 'jira', connection_id: 'oa-1' } });
            await call(operationId, method, '/connections/metadata', 400, { body: '' });
            await call(operationId, method, '/connections/metadata', 404, {
                body: { provider_config_key: 'jira', connection_id: 'missing', metadata: {} }
            });
            await call(operationId, method, '/connections/metadata', 404, {
                body: { provider_config_key: 'no-such-integration', connection_id: 'oa-1', metadata: {} }
            });
            await call(operationId, method, '/connections/metadata', 401, { auth: false, body: {} });
            await call(operationId, method, '/connections/metadata', 413, {
                body: { provider_config_key: 'jira', connection_id: 'oa-1', metadata: { big: 'x'.repeat(maxBodyBytes) } }
            });
        }
    });

    test('the proxy', opts, async () => {
        const headers = { 'Connection-Id': 'oa-1', 'Provider-Config-Key': 'jira' };
        const api = `/proxy/ex/jira/${acme}/rest/api/3`;
        // oa-1's token is not one the fake issued: its 401 makes Ferry refresh, which the
        // provider refuses too.
        await call('proxyGet', 'GET', `${api}/myself`, 424, { headers });

        // A connection made through the OAuth flow has a token the fake accepts.
        await oauthFlow('oa-flow');
        const flowHeaders = { 'Connection-Id': 'oa-flow', 'Provider-Config-Key': 'jira' };
        const myself = await call('proxyGet', 'GET', `${api}/myself`, 200, { headers: flowHeaders });
        assert.equal(myself.headers.get('x-ferry-error'), null);
        await call('proxyGet', 'GET', `${api}/search/jql`, undefined, { headers: flowHeaders, query: { jql: 'project = PROJ', maxResults: '2' } });
        // jira:v0 lists the removed search: Ferry refuses it itself (the fake would answer 410
        // too, without Ferry's error mark).
        for (const gone of [
            await call('proxyGet', 'GET', `${api}/search`, 410, { headers: flowHeaders, query: { jql: 'project = PROJ' } }),
            await call('proxyPost', 'POST', `${api}/search`, 410, { headers: flowHeaders, body: { jql: 'project = PROJ' } })]) {
            assert.equal(gone.headers.get('x-ferry-error'), 'deprecated_endpoint');
        }
        await call('proxyPost', 'POST', `${api}/issue`, undefined, {
            headers: flowHeaders, body: { fields: { project: { key: 'PROJ' }, summary: 'from the proxy', issuetype: { name: 'Task' } } }
        });
        await call('proxyPut', 'PUT', `${api}/issue/PROJ-1`, undefined, { headers: flowHeaders, body: { fields: { summary: 'renamed' } } });
        await call('proxyPatch', 'PATCH', `${api}/issue/PROJ-2`, undefined, { headers: flowHeaders, body: { fields: {} } });
        await call('proxyDelete', 'DELETE', `${api}/issue/PROJ-3`, undefined, { headers: flowHeaders });

        for (const [operationId, method] of [['proxyGet', 'GET'], ['proxyPost', 'POST'], ['proxyPut', 'PUT'],
            ['proxyPatch', 'PATCH'], ['proxyDelete', 'DELETE']]) {
            await call(operationId, method, `${api}/myself`, 401, { auth: false, headers });
            await call(operationId, method, `${api}/myself`, 400, { headers: { 'Connection-Id': 'oa-1' } });
            await call(operationId, method, `${api}/myself`, 404, { headers: { ...headers, 'Connection-Id': 'missing' } });
        }
        await call('proxyGet', 'GET', '/proxy/ex%2F..%2Fadmin', 400, { headers });
        await call('proxyGet', 'GET', '/proxy/x', 400, { headers: { ...headers, Retries: 'many' } });
        await call('proxyGet', 'GET', '/proxy/x', 403, { headers: { ...headers, 'Base-Url-Override': 'https://10.0.0.1/' } });
        await call('proxyGet', 'GET', '/proxy/x', 424, { headers: { 'Connection-Id': 'oa-revoked', 'Provider-Config-Key': 'jira' } });
        await call('proxyGet', 'GET', '/proxy/x', 502, { headers: { 'Connection-Id': 'oa-broken-fresh', 'Provider-Config-Key': 'broken' } });
        await adminFake('faults', { path_prefix: '/ex/jira', action: 'delay', delay_ms: 3000 });
        await call('proxyGet', 'GET', `${api}/myself`, 504, { headers: { 'Connection-Id': 'oa-slow-fresh', 'Provider-Config-Key': 'slow' } });
        await adminFake('faults', null, 'DELETE');
    });

    test('actions', opts, async () => {
        const headers = { 'Connection-Id': 'oa-1', 'Provider-Config-Key': 'jira' };
        const echoed = await call('triggerAction', 'POST', '/action/trigger', 200, { headers, body: { action_name: 'echo', input: { n: 1 } } });
        assert.deepEqual(echoed.json(), { echo: { n: 1 } });
        await call('triggerAction', 'POST', '/action/trigger', 200, { headers, body: { action_name: 'echo' } });
        const refused = await call('triggerAction', 'POST', '/action/trigger', 500, { headers, body: { action_name: 'refuse' } });
        assert.equal(refused.json().error.payload.reason, 'test');
        await call('triggerAction', 'POST', '/action/trigger', 404, { headers, body: { action_name: 'no-such-action' } });
        await call('triggerAction', 'POST', '/action/trigger', 404, {
            headers: { ...headers, 'Connection-Id': 'missing' }, body: { action_name: 'echo' }
        });
        await call('triggerAction', 'POST', '/action/trigger', 400, { headers, body: { input: 1 } });
        await call('triggerAction', 'POST', '/action/trigger', 400, { body: { action_name: 'echo' } });
        await call('triggerAction', 'POST', '/action/trigger', 401, { auth: false, headers, body: { action_name: 'echo' } });
        await call('triggerAction', 'POST', '/action/trigger', 413, { headers, body: { action_name: 'echo', input: 'x'.repeat(maxBodyBytes) } });
    });

    test('asynchronous actions', opts, async () => {
        const headers = { 'Connection-Id': 'oa-1', 'Provider-Config-Key': 'jira', 'X-Async': 'true' };
        const result = async (statusUrl, expect) => {
            let answer = await call('getAsyncActionResult', 'GET', statusUrl);
            for (let i = 0; answer.status === 404 && i < 100; ++i) {
                await new Promise((resolve) => setTimeout(resolve, 50));
                answer = await call('getAsyncActionResult', 'GET', statusUrl);
            }
            assert.equal(answer.status, expect, answer.text);
            return answer.json();
        };
        const started = await call('triggerAction', 'POST', '/action/trigger', 202, { headers, body: { action_name: 'echo', input: { n: 2 } } });
        assert.equal(started.headers.get('location'), started.json().statusUrl);
        assert.deepEqual(await result(started.json().statusUrl, 200), { echo: { n: 2 } });
        const failing = await call('triggerAction', 'POST', '/action/trigger', 202, { headers, body: { action_name: 'refuse' } });
        assert.equal((await result(failing.json().statusUrl, 500)).error.payload.reason, 'test');
        await call('triggerAction', 'POST', '/action/trigger', 404, { headers, body: { action_name: 'no-such-action' } });
        await call('triggerAction', 'POST', '/action/trigger', 400, {
            headers: { ...headers, 'X-Max-Retries': '2' }, body: { action_name: 'echo' }
        });
        await call('getAsyncActionResult', 'GET', '/action/00000000-0000-4000-8000-000000000000', 404);
        await call('getAsyncActionResult', 'GET', started.json().statusUrl, 401, { auth: false });
    });

    test('connect sessions', opts, async () => {
        await call('createConnectSession', 'POST', '/connect/sessions', 201, {
            body: { end_user: { id: 'end-user-1' }, allowed_integrations: ['jira'] }
        });
        await call('createConnectSession', 'POST', '/connect/sessions', 201, {
            body: {
                end_user: { id: 'end-user-1', email: 'ada@example.com', display_name: 'Ada', tags: { plan: 'pro' } },
                organization: { id: 'org-1', display_name: 'Acme' },
                allowed_integrations: ['jira'], connection_id: 'chosen-1',
                integrations_config_defaults: { jira: { user_scopes: 'read:me', authorization_params: { prompt: 'login' }, connection_config: { subdomain: 'acme' } } },
                tags: { team: 'blue' }, overrides: {}, webhook_url_override: 'https://example.com/hook'
            }
        });
        await call('createConnectSession', 'POST', '/connect/sessions', 201, { body: { tags: { team: 'blue' } } });
        await call('createConnectSession', 'POST', '/connect/sessions', 400, { body: { end_user: { id: 'u' }, surprise: 1 } });
        await call('createConnectSession', 'POST', '/connect/sessions', 400, { body: { end_user: { id: 'u' }, allowed_integrations: ['nope'] } });
        await call('createConnectSession', 'POST', '/connect/sessions', 400, { body: {} });
        await call('createConnectSession', 'POST', '/connect/sessions', 401, { auth: false, body: { end_user: { id: 'u' } } });
        await call('createConnectSession', 'POST', '/connect/sessions', 413, { body: { end_user: { id: 'x'.repeat(maxBodyBytes) } } });

        await call('createReconnectSession', 'POST', '/connect/sessions/reconnect', 201, {
            body: { connection_id: 'oa-1', integration_id: 'jira', end_user: { id: 'end-user-1' } }
        });
        await call('createReconnectSession', 'POST', '/connect/sessions/reconnect', 404, { body: { connection_id: 'missing', integration_id: 'jira' } });
        await call('createReconnectSession', 'POST', '/connect/sessions/reconnect', 400, { body: { connection_id: 'oa-1' } });
        await call('createReconnectSession', 'POST', '/connect/sessions/reconnect', 401, { auth: false, body: {} });
        await call('createReconnectSession', 'POST', '/connect/sessions/reconnect', 413, { body: { connection_id: 'x'.repeat(maxBodyBytes) } });
    });

    test('the OAuth flow and its errors', opts, async () => {
        const connect = (expect, query, accept = 'application/json', integration = 'jira') =>
            call('oauthConnect', 'GET', `/oauth/connect/${integration}`, expect, { auth: false, accept, query });
        const page = await oauthFlow('oa-flow-2');
        assert.match(page.text, /AUTHORIZATION_SUCEEDED/);
        await connect(401, {});
        await connect(401, {}, 'text/html');
        await connect(401, { public_key: 'wrong' });
        await connect(404, { public_key: publicKey }, 'application/json', 'no-such-integration');
        await connect(400, { public_key: publicKey, connection_id: 'c' }, 'application/json', 'close');
        await connect(400, { public_key: publicKey, origin: 'not a url' });
        await connect(409, { public_key: publicKey, connection_id: 'oa-flow-2' });
        await connect(409, { public_key: publicKey, connection_id: 'oa-flow-2' }, 'text/html');
        await connect(302, { public_key: publicKey, connection_id: 'oa-flow-3', ws_client_id: 'none', 'params[subdomain]': 'acme', user_scope: 'read:me' });

        // A connect session allowing only `close` may not start a jira flow.
        const session = async (body) => (await call('createConnectSession', 'POST', '/connect/sessions', 201, { body })).json().data.token;
        await connect(403, { connect_session_token: await session({ end_user: { id: 'u' }, allowed_integrations: ['close'] }) });
        await connect(401, { connect_session_token: 'not-a-token' });

        // client_credentials: connected at once (the page), or the provider's refusal.
        await adminFake('faults', { path_prefix: '/oauth/token', action: 'status', status: 200,
            headers: { 'Content-Type': 'application/json' }, body: { access_token: 'cc-2', expires_in: 3600 } });
        await connect(200, { public_key: publicKey, connection_id: 'svc-page' }, 'text/html', 'machine');
        await adminFake('faults', { path_prefix: '/oauth/token', action: 'status', status: 401, body: { error: 'invalid_client' } });
        await connect(424, { public_key: publicKey, connection_id: 'svc-refused' }, 'application/json', 'machine');
        await adminFake('faults', null, 'DELETE');
        await connect(502, { public_key: publicKey, connection_id: 'svc-broken' }, 'application/json', 'machine-broken');

        // The connect link: one integration redirects, several are listed, a used token is refused.
        const one = await session({ end_user: { id: 'u' }, allowed_integrations: ['jira'] });
        await call('oauthChoose', 'GET', '/oauth/connect', 302, { auth: false, accept: 'text/html', query: { connect_session_token: one } });
        const all = await session({ end_user: { id: 'u' } });
        await call('oauthChoose', 'GET', '/oauth/connect', 200, { auth: false, accept: 'text/html', query: { connect_session_token: all } });
        await connect(302, { connect_session_token: all }, 'text/html');
        await call('oauthChoose', 'GET', '/oauth/connect', 409, { auth: false, accept: 'text/html', query: { connect_session_token: all } });
        await call('oauthChoose', 'GET', '/oauth/connect', 401, { auth: false, accept: 'text/html' });
        await call('oauthChoose', 'GET', '/oauth/connect', 400, { auth: false, accept: 'text/html', query: { connect_session_token: one, origin: 'not a url' } });

        // The callback's errors.
        await call('oauthCallback', 'GET', '/oauth/callback', 400, { auth: false, accept: 'text/html', query: { code: 'c', state: 'unknown' } });
        await call('oauthCallback', 'GET', '/oauth/callback', 400, { auth: false, accept: 'text/html', query: { error: 'access_denied', state: 'unknown' } });
    });

    test('the dashboard', opts, async () => {
        const signInCall = (expect, body, headers = {}) =>
            call('dashboardSignIn', 'POST', '/dashboard/api/session', expect, { auth: false, body, headers });
        // Refusals that do not count as failed sign-ins.
        await signInCall(403, { credential: secretKey }, { Origin: 'https://evil.example' });
        await signInCall(403, { credential: secretKey }, { 'Sec-Fetch-Site': 'cross-site' });
        await signInCall(400, [1, 2]);
        await signInCall(400, { credential: '' });
        await signInCall(413, { credential: 'k'.repeat(5000) });
        // Signing in sets the cookie; the body holds the CSRF token.
        const signedIn = await signInCall(200, { credential: secretKey }, { Origin: ferryUrl, 'Sec-Fetch-Site': 'same-origin' });
        const cookie = signedIn.headers.get('set-cookie');
        assert.match(cookie, /^ferry_dashboard=[^;]+;.*HttpOnly/);
        assert.match(cookie, /SameSite=Strict/);
        const session = { cookie: cookie.split(';')[0], csrf: signedIn.json().csrf_token };
        assert.equal(signedIn.json().server_root_url, ferryUrl);

        const me = await call('dashboardSession', 'GET', '/dashboard/api/session', 200, { session });
        assert.equal(me.json().csrf_token, session.csrf);
        await call('dashboardSession', 'GET', '/dashboard/api/session', 401, { auth: false });
        await call('dashboardSession', 'GET', '/dashboard/api/session', 401, {
            auth: false, headers: { Cookie: 'ferry_dashboard=v1.forged.99999999999.AAAA' }
        });

        // The dashboard's data, with the cookie or the secret key.
        const integrations = await call('dashboardIntegrations', 'GET', '/dashboard/api/integrations', 200, { session });
        assert.deepEqual(integrations.json().integrations.map((i) => i.unique_key).sort(),
            ['broken', 'close', 'jira', 'machine', 'machine-broken', 'slow']);
        assert.ok(integrations.json().integrations.find((i) => i.unique_key === 'jira').actions.includes('echo'));
        await call('dashboardIntegrations', 'GET', '/dashboard/api/integrations', 200);
        await call('dashboardIntegrations', 'GET', '/dashboard/api/integrations', 401, { auth: false });

        const rows = (await call('dashboardConnections', 'GET', '/dashboard/api/connections', 200, { session })).json();
        assert.equal(rows.total, rows.connections.length);
        assert.ok(rows.total >= 8);
        const searched = (await call('dashboardConnections', 'GET', '/dashboard/api/connections', 200,
            { session, query: { search: 'OA-BROKEN' } })).json();
        assert.deepEqual(searched.connections.map((c) => c.connection_id).sort(), ['oa-broken', 'oa-broken-fresh']);
        assert.equal(searched.total, 2);
        const jiraRows = (await call('dashboardConnections', 'GET', '/dashboard/api/connections', 200,
            { query: { integration: 'jira', limit: '1' } })).json();
        assert.equal(jiraRows.connections.length, 1);
        assert.equal(jiraRows.connections[0].provider_config_key, 'jira');
        assert.equal(jiraRows.total, rows.connections.filter((c) => c.provider_config_key === 'jira').length);
        await call('dashboardConnections', 'GET', '/dashboard/api/connections', 400, { session, query: { limit: 'many' } });
        await call('dashboardConnections', 'GET', '/dashboard/api/connections', 400, { session, query: { search: 'x'.repeat(201) } });
        await call('dashboardConnections', 'GET', '/dashboard/api/connections', 401, { auth: false });

        const page = (await call('dashboardConnection', 'GET', '/dashboard/api/connections/jira/oa-1', 200, { session })).json();
        assert.equal(page.connection_config.cloudId, acme);
        assert.ok(!JSON.stringify(page).includes('at-oa-1'), 'the page masks the access token');
        await call('dashboardConnection', 'GET', '/dashboard/api/connections/jira/missing', 404, { session });
        await call('dashboardConnection', 'GET', '/dashboard/api/connections/no-such-integration/oa-1', 404);
        await call('dashboardConnection', 'GET', '/dashboard/api/connections/jira/oa-1', 401, { auth: false });

        // "Refresh now", and the ways it fails.
        const refresh = (expect, integration, id, options = {}) =>
            call('dashboardRefreshConnection', 'POST', `/dashboard/api/connections/${integration}/${id}/refresh`, expect, options);
        const refreshed = (await refresh(200, 'jira', 'oa-flow-2', { session, csrf: true, headers: { Origin: ferryUrl } })).json();
        assert.equal(refreshed.connection_id, 'oa-flow-2');
        assert.notEqual(refreshed.last_refresh_at, null);
        await refresh(200, 'jira', 'oa-flow-2');
        await refresh(404, 'jira', 'missing');
        await refresh(404, 'no-such-integration', 'oa-1');
        await refresh(424, 'jira', 'oa-revoked');
        await refresh(502, 'broken', 'oa-broken-fresh');
        await adminFake('faults', { path_prefix: '/oauth/token', action: 'delay', delay_ms: 3000 });
        await refresh(504, 'slow', 'oa-slow-fresh');
        await adminFake('faults', null, 'DELETE');
        await refresh(401, 'jira', 'oa-flow-2', { auth: false });
        // With the cookie, a state change needs the session's CSRF token and the same site.
        await refresh(403, 'jira', 'oa-flow-2', { session });
        await refresh(403, 'jira', 'oa-flow-2', { session, csrf: true, headers: { Origin: 'https://evil.example' } });
        await refresh(403, 'jira', 'oa-flow-2', { session, csrf: true, headers: { 'Sec-Fetch-Site': 'cross-site' } });
        await refresh(403, 'jira', 'oa-flow-2', { session, headers: { 'X-Ferry-CSRF': 'forged' } });

        // Every state-changing backend route refuses the cookie without the CSRF token, and a
        // cross-site request with it; reading needs neither.
        const changes = [
            ['importConnection', 'POST', '/connections', { provider_config_key: 'close', credentials: { type: 'API_KEY', apiKey: 'k' } }],
            ['setMetadata', 'POST', '/connections/metadata', { provider_config_key: 'jira', connection_id: 'oa-1', metadata: { d: 1 } }],
            ['updateMetadata', 'PATCH', '/connections/metadata', { provider_config_key: 'jira', connection_id: 'oa-1', metadata: { d: 1 } }],
            ['deleteConnection', 'DELETE', '/connections/oa-1?provider_config_key=jira', undefined],
            ['triggerAction', 'POST', '/action/trigger', { action_name: 'echo' }],
            ['createConnectSession', 'POST', '/connect/sessions', { end_user: { id: 'u' } }],
            ['createReconnectSession', 'POST', '/connect/sessions/reconnect', { connection_id: 'oa-1', integration_id: 'jira' }]
        ];
        const actionHeaders = { 'Connection-Id': 'oa-1', 'Provider-Config-Key': 'jira' };
        for (const [operationId, method, path, body] of changes) {
            await call(operationId, method, path, 403, { session, body, headers: actionHeaders });
            await call(operationId, method, path, 403, { session, csrf: true, body, headers: { ...actionHeaders, Origin: 'https://evil.example' } });
        }
        await call('setMetadata', 'POST', '/connections/metadata', 200, {
            session, csrf: true, headers: { Origin: ferryUrl, 'Sec-Fetch-Site': 'same-origin' },
            body: { provider_config_key: 'jira', connection_id: 'oa-1', metadata: { from_dashboard: true } }
        });
        const updated = (await call('dashboardConnection', 'GET', '/dashboard/api/connections/jira/oa-1', 200, { session })).json();
        assert.equal(updated.metadata.from_dashboard, true);
        assert.equal(updated.metadata.d, undefined, 'a refused request wrote');
        await call('triggerAction', 'POST', '/action/trigger', 200, { session, csrf: true, headers: actionHeaders, body: { action_name: 'echo' } });
        await call('getConnection', 'GET', '/connections/oa-1', 200, { session, query: { provider_config_key: 'jira' } });
        await call('listLogs', 'GET', '/logs', 200, { session, query: { limit: '1' } });
        // The proxy takes only the secret key.
        await call('proxyGet', 'GET', `/proxy/ex/jira/${acme}/rest/api/3/myself`, 401, {
            session, csrf: true, headers: { 'Connection-Id': 'oa-flow-2', 'Provider-Config-Key': 'jira' }
        });

        // The dashboard's files: GET / is its page, which names its assets.
        const index = await call('getRoot', 'GET', '/', 200, { auth: false, accept: 'text/html' });
        const assets = [...index.text.matchAll(/\/dashboard\/assets\/([^"'?#\s]+)/g)].map((m) => m[1]);
        assert.ok(assets.length > 0, 'the page names no asset');
        for (const file of new Set(assets)) {
            await call('getDashboardAsset', 'GET', `/dashboard/assets/${file}`, 200, { auth: false, accept: '*/*' });
        }
        await call('getDashboardAsset', 'GET', '/dashboard/assets/no-such-file.js', 404, { auth: false, accept: '*/*' });
        await call('getDashboardAsset', 'GET', '/dashboard/assets/index.html', 404, { auth: false, accept: '*/*' });

        // Signing out needs the cookie and the CSRF token, and ends the session.
        await call('dashboardSignOut', 'DELETE', '/dashboard/api/session', 401, { auth: false });
        await call('dashboardSignOut', 'DELETE', '/dashboard/api/session', 403, { session });
        const out = await call('dashboardSignOut', 'DELETE', '/dashboard/api/session', 204, { session, csrf: true });
        assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
        await call('dashboardSession', 'GET', '/dashboard/api/session', 401, { session });
        await call('dashboardConnections', 'GET', '/dashboard/api/connections', 401, { session });

        // Ten failed sign-ins from one address earn 429, even for the right key.
        let failed;
        for (let attempt = 0; attempt < 10; attempt++) {
            failed = await signInCall(undefined, { credential: `wrong-${attempt}` });
            if (failed.status === 429) break;
            assert.equal(failed.status, 401, failed.text);
        }
        await signInCall(429, { credential: secretKey });
    });

    test('the websocket', opts, async () => {
        const first = await upgrade(websocketHeaders);
        checkUpgrade('GET / (upgrade)', first);
        assert.equal(first.status, 101);
        const second = await upgrade(websocketHeaders);
        checkUpgrade('GET / (second upgrade)', second);
        const third = await upgrade(websocketHeaders);
        checkUpgrade('GET / (third upgrade)', third);
        assert.equal(third.status, 429, 'max_websockets_per_client is 2');
        for (const answer of [first, second, third]) answer.socket?.destroy();
        // Without an upgrade: the dashboard's page, or 404 from a build without the dashboard.
        const plain = await upgrade({});
        checkUpgrade('GET / (no upgrade)', plain);
        assert.ok([200, 404].includes(plain.status), `GET / without an upgrade answered ${plain.status}`);
    });

    test('logs and metrics', opts, async () => {
        const list = async (query, expect = 200) => (await call('listLogs', 'GET', '/logs', expect, { query })).json().logs;
        const all = await list({ limit: '0' });
        assert.ok(all.length > 0);
        const ids = all.map((e) => e.id);
        assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
        const newest = ids[0];
        // A filtered answer must hold exactly the entries of `all` the filter keeps (entries
        // written since `all` was read are checked against the filter only).
        const expectFiltered = async (query, keep, what) => {
            const got = await list({ limit: '0', ...query });
            for (const e of got) assert.ok(keep(e), `${what}: entry ${e.id} does not fit: ${JSON.stringify(e).slice(0, 300)}`);
            assert.deepEqual(got.filter((e) => e.id <= newest).map((e) => e.id), all.filter(keep).map((e) => e.id), what);
            return got;
        };
        const statusClass = (e) => (e.status === 0 ? 'error' : `${Math.floor(e.status / 100)}xx`);
        for (const status of ['2xx', '4xx', '5xx', 'error', '4xx,5xx']) {
            await expectFiltered({ status }, (e) => status.split(',').includes(statusClass(e)), `status=${status}`);
        }
        assert.ok(all.some((e) => statusClass(e) === '2xx') && all.some((e) => statusClass(e) === '4xx'),
            'the log holds 2xx and 4xx entries to filter');
        const types = [...new Set(all.map((e) => e.type))];
        assert.ok(types.includes('proxy') && types.length > 1, `entry types: ${types}`);
        for (const type of types) await expectFiltered({ type }, (e) => e.type === type, `type=${type}`);
        await expectFiltered({ type: 'proxy', status: '2xx' }, (e) => e.type === 'proxy' && statusClass(e) === '2xx', 'type=proxy&status=2xx');
        const middle = all[Math.floor(all.length / 2)];
        await expectFiltered({ after_id: String(middle.id) }, (e) => e.id > middle.id, `after_id=${middle.id}`);
        await expectFiltered({ after_id: String(newest) }, (e) => e.id > newest, 'after_id=newest');
        const at = Date.parse(middle.timestamp);
        await expectFiltered({ from: middle.timestamp }, (e) => Date.parse(e.timestamp) >= at, `from=${middle.timestamp}`);
        await expectFiltered({ to: middle.timestamp }, (e) => Date.parse(e.timestamp) < at, `to=${middle.timestamp}`);
        await expectFiltered({ from: '2020-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z' }, () => true, 'from and to around everything');
        const searched = await list({ limit: '0', search: 'MYSELF' });
        assert.ok(searched.length > 0, 'search=MYSELF found nothing');
        for (const e of searched) {
            assert.ok([e.url, e.message, e.method, e.connection_id].some((text) => text.toLowerCase().includes('myself')),
                `search=MYSELF: entry ${e.id} does not contain it`);
        }
        await expectFiltered({ connection_id: 'oa-flow', integration: 'jira' },
            (e) => e.connection_id === 'oa-flow' && e.integration === 'jira', 'connection_id and integration');
        const limited = await list({ limit: '2' });
        assert.deepEqual(limited.map((e) => e.id), ids.slice(0, 2), 'limit=2: the two newest');
        await list({ status: '4xx,error', type: 'proxy', from: '2020-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z', search: 'myself', after_id: '0' });

        for (const query of [{ limit: 'all' }, { status: '6xx' }, { status: '4xx,' }, { from: 'yesterday' }, { to: '2026-13-01T00:00:00Z' },
            { from: '2030-01-01T00:00:00Z', to: '2020-01-01T00:00:00Z' }, { after_id: '-1' }, { search: 'x'.repeat(201) }, { type: 't'.repeat(65) }]) {
            await list(query, 400);
        }
        await call('listLogs', 'GET', '/logs', 401, { auth: false });

        const one = await call('getLog', 'GET', `/logs/${middle.id}`, 200);
        assert.deepEqual(one.json(), middle);
        await call('getLog', 'GET', `/logs/${newest + 1000000}`, 404);
        await call('getLog', 'GET', '/logs/0', 400);
        await call('getLog', 'GET', '/logs/first', 400);
        await call('getLog', 'GET', '/logs/1', 401, { auth: false });
        await call('getDashboardOverview', 'GET', '/dashboard/api/overview', 200);
        await call('getDashboardOverview', 'GET', '/dashboard/api/overview', 401, { auth: false });
        const metrics = await call('getMetrics', 'GET', '/metrics', 200);
        assert.ok(metrics.text.length > 0);
        await call('getMetrics', 'GET', '/metrics', 401, { auth: false });
    });

    test('Atlassian sites and Jira webhooks', opts, async () => {
        const globex = '8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64';
        // A grant that reaches two sites: jira:v0 asks the user which one.
        await adminFake('config', { sites: 2 });
        const page = await oauthFlow('site-user');
        await adminFake('config', { sites: 1 });
        const token = /name="choice" value="([^"]+)"/.exec(page.text);
        assert.ok(token, page.text.slice(0, 500));
        const form = { auth: false, accept: 'text/html', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
        const choose = (site, choice = token[1]) => `choice=${encodeURIComponent(choice)}&site=${encodeURIComponent(site)}`;
        await call('oauthChooseSite', 'POST', '/oauth/site', 400, { ...form, body: choose(globex, 'forged.choice') });
        await call('oauthChooseSite', 'POST', '/oauth/site', 400, { ...form, body: choose('not-one-of-its-sites') });
        await call('oauthChooseSite', 'POST', '/oauth/site', 200, { ...form, body: choose(globex) });

        const q = { query: { provider_config_key: 'jira' } };
        const switched = await call('setConnectionSite', 'PUT', '/connections/site-user/site', 200,
            { ...q, body: { subdomain: 'acme' } });
        assert.equal(switched.json().connection_config.cloudId, acme);
        await call('setConnectionSite', 'PUT', '/connections/site-user/site', 400, { ...q, body: { cloudId: 'nope' } });
        await call('setConnectionSite', 'PUT', '/connections/site-user/site', 400, { ...q, body: {} });
        await call('setConnectionSite', 'PUT', '/connections/nobody/site', 404, { ...q, body: { cloudId: acme } });
        await call('setConnectionSite', 'PUT', '/connections/site-user/site', 401, { ...q, auth: false, body: { cloudId: acme } });

        const spec = { events: ['jira:issue_created'], jqlFilter: 'project = PROJ' };
        const path = '/connections/site-user/jira-webhooks';
        const registered = await call('registerJiraWebhooks', 'POST', path, 200, { ...q, body: { webhooks: [spec] } });
        const id = registered.json().webhooks[0].id;
        assert.ok(Number.isInteger(id), registered.text);
        await call('registerJiraWebhooks', 'POST', path, 400, { ...q, body: { events: ['issue_moved'], jqlFilter: 'x' } });
        await call('registerJiraWebhooks', 'POST', '/connections/nobody/jira-webhooks', 404, { ...q, body: spec });
        await call('registerJiraWebhooks', 'POST', path, 400, { query: { provider_config_key: 'close' }, body: spec });
        await call('registerJiraWebhooks', 'POST', path, 401, { ...q, auth: false, body: spec });
        const listed = await call('listJiraWebhooks', 'GET', path, 200, q);
        assert.deepEqual(listed.json().webhooks.map((w) => w.id), [id]);
        await call('listJiraWebhooks', 'GET', path, 400);
        await call('listJiraWebhooks', 'GET', path, 401, { ...q, auth: false });
        await call('refreshJiraWebhooks', 'POST', `${path}/refresh`, 200, q);
        await call('refreshJiraWebhooks', 'POST', '/connections/nobody/jira-webhooks/refresh', 404, q);
        await call('refreshJiraWebhooks', 'POST', `${path}/refresh`, 401, { ...q, auth: false });

        // Atlassian's deliveries: signed with the client secret, routed by site.
        const delivery = (site) => ({
            webhookEvent: 'jira:issue_created', matchedWebhookIds: [id],
            issue: { id: '10001', key: 'PROJ-1', self: `https://${site}.atlassian.net/rest/api/2/issue/10001` }
        });
        const routed = await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/jira', 200,
            { auth: atlassianJwt(), body: delivery('acme') });
        assert.deepEqual(routed.json(), { forwarded: 1, unroutable: false });
        const kept = await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/jira', 200,
            { auth: atlassianJwt(), body: delivery('initech') });
        assert.deepEqual(kept.json(), { forwarded: 0, unroutable: true });
        await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/jira', 401, { auth: false, body: delivery('acme') });
        await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/jira', 401,
            { auth: atlassianJwt('another-secret'), body: delivery('acme') });
        await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/close', 404, { auth: atlassianJwt(), body: {} });
        await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/jira', 400, { auth: atlassianJwt(), body: 'not json' });
        await call('receiveProviderWebhook', 'POST', '/webhooks/incoming/jira', 413,
            { auth: atlassianJwt(), body: JSON.stringify({ pad: 'x'.repeat(maxBodyBytes) }) });
        const unroutable = await call('listWebhookDeliveries', 'GET', '/webhooks/deliveries', 200,
            { query: { state: 'unroutable' } });
        assert.equal(unroutable.json().deliveries.length, 1, unroutable.text);

        await call('deleteJiraWebhook', 'DELETE', `${path}/${id}`, 200, q);
        await call('deleteJiraWebhook', 'DELETE', `${path}/${id}`, 404, q);
        await call('deleteJiraWebhook', 'DELETE', `${path}/abc`, 400, q);
        await call('deleteJiraWebhook', 'DELETE', `${path}/${id}`, 401, { ...q, auth: false });
    });

    test('DELETE /connections/{id}', opts, async () => {
        await call('deleteConnection', 'DELETE', '/connections/oa-1', 200, { query: { provider_config_key: 'jira' } });
        await call('deleteConnection', 'DELETE', '/connections/oa-1', 404, { query: { provider_config_key: 'jira' } });
        await call('deleteConnection', 'DELETE', '/connections/oa-1', 400);
        await call('deleteConnection', 'DELETE', '/connections/oa-1', 401, { auth: false, query: { provider_config_key: 'close' } });
    });

    test('webhook deliveries', opts, async () => {
        // The connections made above were events; wait until one has been delivered.
        let delivered = [];
        for (let i = 0; i < 100 && delivered.length === 0; ++i) {
            const listed = await call('listWebhookDeliveries', 'GET', '/webhooks/deliveries', 200,
                { query: { state: 'delivered', limit: '1' } });
            delivered = JSON.parse(listed.text).deliveries;
            if (delivered.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(delivered.length, 1);
        const all = JSON.parse((await call('listWebhookDeliveries', 'GET', '/webhooks/deliveries', 200,
            { query: { integration: 'jira', limit: '0' } })).text);
        assert.ok(all.deliveries.some((d) => d.type === 'connection.deleted'), JSON.stringify(all.deliveries));
        await call('listWebhookDeliveries', 'GET', '/webhooks/deliveries', 400, { query: { state: 'lost' } });
        await call('listWebhookDeliveries', 'GET', '/webhooks/deliveries', 400, { query: { before: '0' } });
        await call('listWebhookDeliveries', 'GET', '/webhooks/deliveries', 401, { auth: false });
        const replayed = await call('replayWebhookDelivery', 'POST',
            `/webhooks/deliveries/${delivered[0].id}/replay`, 200);
        assert.equal(JSON.parse(replayed.text).state, 'pending');
        await call('replayWebhookDelivery', 'POST', '/webhooks/deliveries/evt_unknown/replay', 404);
        await call('replayWebhookDelivery', 'POST', '/webhooks/deliveries/evt_unknown/replay', 401, { auth: false });
    });

    test('every operation of the document was called', opts, () => {
        const missing = unexercised();
        assert.deepEqual(missing, [], `operations never called: ${missing.join(', ')}`);
        if (pendingSeen.size > 0) {
            console.log(`described ahead of their routes (not served by this build): ${[...pendingSeen].join(', ')}`);
        }
    });
});
