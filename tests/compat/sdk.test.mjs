// SDK compatibility test: drives a running Ferry server through the official
// @nangohq/node client and checks that every call the SDK makes is understood
// and answered with the shapes the SDK expects (see SHAPES.md).
//
// Environment:
//   FERRY_HOST                  base URL of a running server, e.g. http://127.0.0.1:3999
//   FERRY_SECRET_KEY            the server's secret key
//   FERRY_INTEGRATION           an OAUTH2 integration key (default "jira")
//   FERRY_APIKEY_INTEGRATION    an API_KEY integration key (default "close")
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Nango } from '@nangohq/node';

const host = process.env.FERRY_HOST;
const secretKey = process.env.FERRY_SECRET_KEY;
const oauthKey = process.env.FERRY_INTEGRATION || 'jira';
const apiKeyKey = process.env.FERRY_APIKEY_INTEGRATION || 'close';

const skipReason = host && secretKey ? false : 'FERRY_HOST and FERRY_SECRET_KEY must be set to run the SDK compatibility test';
if (skipReason) {
    console.log(`SDK compatibility test skipped: ${skipReason}`);
}

const kStepTimeoutMs = 20_000;

// One id for both integrations: a connection is identified by (integration, connection id),
// so the same id under two integrations must give two distinct connections.
const runTag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const connectionId = `compat-${runTag}`;

// Whole seconds, so servers that store second precision still round-trip exactly.
const expiresAt = new Date(Math.floor(Date.now() / 1000 + 365 * 24 * 3600) * 1000).toISOString();
const oauthCredentials = {
    type: 'OAUTH2',
    access_token: `at-${runTag}`,
    refresh_token: `rt-${runTag}`,
    expires_at: expiresAt
};
const oauthRaw = {
    access_token: oauthCredentials.access_token,
    refresh_token: oauthCredentials.refresh_token,
    expires_in: 3600,
    token_type: 'Bearer',
    scope: 'read:jira-work offline_access'
};
const apiKeyValue = `key-${runTag}`;

/**
 * Registers a connection with existing credentials. @nangohq/node 0.71 has no
 * importConnection method (its source says "IMPORT / CREATE -- DEPRECATED use REST API"),
 * so this sends the REST call POST /connections through the SDK's own HTTP client,
 * with the same Authorization header the SDK uses. Resolves with the response body.
 */
async function importConnection(nango, body) {
    const response = await nango.http.post(`${nango.serverUrl}/connections`, body, {
        headers: { Authorization: `Bearer ${nango.apiKey}`, 'Content-Type': 'application/json' }
    });
    assert.ok(response.status === 200 || response.status === 201, `POST /connections answered ${response.status}`);
    return response.data;
}

/** Asserts that `promise` rejects with an HTTP error of `status` and a Ferry/Nango error body. */
async function assertRejectsWithStatus(promise, status) {
    await assert.rejects(promise, (err) => {
        assert.ok(err.response, `expected an HTTP error response, got: ${err.message}`);
        assert.equal(err.response.status, status, `expected HTTP ${status}, got ${err.response.status}: ${JSON.stringify(err.response.data)}`);
        assert.equal(typeof err.response.data?.error?.code, 'string', `error body must be {"error":{"code":...}}, got ${JSON.stringify(err.response.data)}`);
        return true;
    });
}

/** Returns the paths of every key whose name mentions a secret and whose value is set. */
function findSecretValues(value, path = '') {
    if (value === null || typeof value !== 'object') {
        return [];
    }
    const found = [];
    for (const [key, child] of Object.entries(value)) {
        const childPath = `${path}.${key}`;
        const isSet = child !== null && child !== undefined && child !== '';
        if (/secret/i.test(key) && isSet && typeof child !== 'object') {
            found.push(childPath);
        }
        found.push(...findSecretValues(child, childPath));
    }
    return found;
}

function assertIsoDate(value, what) {
    assert.equal(typeof value, 'string', `${what} must be a string, got ${JSON.stringify(value)}`);
    assert.ok(!Number.isNaN(Date.parse(value)), `${what} must be a date, got ${value}`);
}

function findConnection(list, integration) {
    return list.find((c) => c.connection_id === connectionId && c.provider_config_key === integration);
}

describe('Ferry through @nangohq/node', { skip: skipReason, timeout: 10 * kStepTimeoutMs }, () => {
    const nango = skipReason ? null : new Nango({ host, apiKey: secretKey });
    const opts = { timeout: kStepTimeoutMs };

    test('importConnection (POST /connections) registers an OAUTH2 connection', opts, async () => {
        const created = await importConnection(nango, {
            provider_config_key: oauthKey,
            connection_id: connectionId,
            credentials: { ...oauthCredentials, raw: oauthRaw },
            connection_config: { cloudId: 'c1' },
            metadata: { a: 1 }
        });
        assert.equal(created.connection_id, connectionId);
        assert.equal(created.provider_config_key, oauthKey);
        assert.equal(created.connection_config?.cloudId, 'c1');
        assert.deepEqual(created.metadata, { a: 1 });
    });

    test('importConnection registers an API_KEY connection under the same connection id', opts, async () => {
        const created = await importConnection(nango, {
            provider_config_key: apiKeyKey,
            connection_id: connectionId,
            credentials: { type: 'API_KEY', apiKey: apiKeyValue }
        });
        assert.equal(created.connection_id, connectionId);
        assert.equal(created.provider_config_key, apiKeyKey);
    });

    test('importConnection into an unknown integration is rejected with 404', opts, async () => {
        await assertRejectsWithStatus(
            importConnection(nango, {
                provider_config_key: `no-such-integration-${runTag}`,
                connection_id: connectionId,
                credentials: { type: 'API_KEY', apiKey: apiKeyValue }
            }),
            404
        );
    });

    test('listConnections without filter contains both connections', opts, async () => {
        const { connections } = await nango.listConnections();
        assert.ok(Array.isArray(connections), 'listConnections must resolve to {connections: [...]}');
        const oauth = findConnection(connections, oauthKey);
        const apiKey = findConnection(connections, apiKeyKey);
        assert.ok(oauth, `${oauthKey}/${connectionId} missing from listConnections()`);
        assert.ok(apiKey, `${apiKeyKey}/${connectionId} missing from listConnections()`);
        assert.notEqual(oauth.id, undefined);
        assert.notEqual(oauth.id, apiKey.id);
        assert.equal(typeof oauth.provider, 'string');
        assertIsoDate(oauth.created, 'listConnections()[].created');
        assert.deepEqual(oauth.metadata, { a: 1 });
        assert.deepEqual(oauth.errors, []);
    });

    test('listConnections filtered by connectionId returns exactly this run\'s connections', opts, async () => {
        const byId = await nango.listConnections(connectionId);
        assert.deepEqual(byId.connections.map((c) => c.provider_config_key).sort(), [oauthKey, apiKeyKey].sort());
        assert.ok(byId.connections.every((c) => c.connection_id === connectionId));

        const byIdAndIntegration = await nango.listConnections({ connectionId, integrationId: oauthKey });
        assert.equal(byIdAndIntegration.connections.length, 1);
        assert.equal(byIdAndIntegration.connections[0].provider_config_key, oauthKey);
    });

    test('getConnection returns OAUTH2 credentials, connection_config and metadata; refresh token only on request', opts, async () => {
        const conn = await nango.getConnection(oauthKey, connectionId);
        assert.equal(conn.connection_id, connectionId);
        assert.equal(conn.provider_config_key, oauthKey);
        assert.equal(typeof conn.provider, 'string');
        assertIsoDate(conn.created_at, 'created_at');
        assertIsoDate(conn.updated_at, 'updated_at');
        assert.deepEqual(conn.errors, []);
        assert.equal(conn.connection_config.cloudId, 'c1');
        assert.deepEqual(conn.metadata, { a: 1 });
        assert.equal(conn.credentials.type, 'OAUTH2');
        assert.equal(conn.credentials.access_token, oauthCredentials.access_token);
        assert.equal(Date.parse(conn.credentials.expires_at), Date.parse(expiresAt));
        assert.equal(conn.credentials.refresh_token, undefined, 'refresh_token must be omitted unless refresh_token=true');
        assert.equal(conn.credentials.raw?.refresh_token, undefined, 'raw.refresh_token must be omitted unless refresh_token=true');
        assert.equal(conn.credentials.raw?.access_token, oauthRaw.access_token);

        const withRefresh = await nango.getConnection(oauthKey, connectionId, false, true);
        assert.equal(withRefresh.credentials.access_token, oauthCredentials.access_token);
        assert.equal(withRefresh.credentials.refresh_token, oauthCredentials.refresh_token);
        assert.deepEqual(withRefresh.credentials.raw, oauthRaw);
    });

    test('getConnection returns API_KEY credentials', opts, async () => {
        const conn = await nango.getConnection(apiKeyKey, connectionId);
        assert.equal(conn.provider_config_key, apiKeyKey);
        assert.equal(conn.credentials.type, 'API_KEY');
        assert.equal(conn.credentials.apiKey, apiKeyValue);
    });

    test('getToken returns the access token for OAUTH2 and the credentials object otherwise', opts, async () => {
        assert.equal(await nango.getToken(oauthKey, connectionId), oauthCredentials.access_token);
        const apiKeyCredentials = await nango.getToken(apiKeyKey, connectionId);
        assert.equal(apiKeyCredentials.type, 'API_KEY');
        assert.equal(apiKeyCredentials.apiKey, apiKeyValue);
    });

    test('getRawTokenResponse returns the provider\'s token answer as imported, without its refresh token', opts, async () => {
        // As Nango: the refresh token leaves the server only when asked for (refresh_token=true).
        const { refresh_token: withheld, ...expected } = oauthRaw;
        assert.ok(withheld);
        assert.deepEqual(await nango.getRawTokenResponse(oauthKey, connectionId), expected);
    });

    test('setMetadata replaces the metadata', opts, async () => {
        const metadata = { b: { x: 1 }, c: 'keep' };
        const response = await nango.setMetadata(oauthKey, connectionId, metadata);
        assert.ok(response.status >= 200 && response.status < 300);
        assert.deepEqual(response.data.metadata, metadata);
        assert.equal(response.data.connection_id, connectionId);
        assert.equal(response.data.provider_config_key, oauthKey);

        const conn = await nango.getConnection(oauthKey, connectionId);
        assert.deepEqual(conn.metadata, metadata);
    });

    test('updateMetadata merges top-level keys into the metadata', opts, async () => {
        const response = await nango.updateMetadata(oauthKey, connectionId, { b: { y: 2 }, d: true });
        assert.ok(response.status >= 200 && response.status < 300);
        assert.deepEqual(response.data.metadata, { b: { y: 2 }, d: true });

        const expected = { b: { y: 2 }, c: 'keep', d: true };
        const conn = await nango.getConnection(oauthKey, connectionId);
        assert.deepEqual(conn.metadata, expected);
        assert.deepEqual(await nango.getMetadata(oauthKey, connectionId), expected);
    });

    test('setMetadata on an unknown connection is rejected with 404', opts, async () => {
        await assertRejectsWithStatus(nango.setMetadata(oauthKey, `missing-${runTag}`, { a: 1 }), 404);
    });

    test('listIntegrations contains both integrations', opts, async () => {
        const { configs } = await nango.listIntegrations();
        assert.ok(Array.isArray(configs), 'GET /integrations must answer {data: [...]}');
        const keys = configs.map((c) => c.unique_key);
        assert.ok(keys.includes(oauthKey), `${oauthKey} missing from ${JSON.stringify(keys)}`);
        assert.ok(keys.includes(apiKeyKey), `${apiKeyKey} missing from ${JSON.stringify(keys)}`);
        for (const config of configs) {
            assert.equal(typeof config.provider, 'string');
        }
        assert.deepEqual(findSecretValues(configs), []);
    });

    test('getIntegration describes the integration and never returns a client secret', opts, async () => {
        const { data } = await nango.getIntegration({ uniqueKey: oauthKey });
        assert.equal(data.unique_key, oauthKey);
        assertIsoDate(data.created_at, 'created_at');
        const conn = await nango.getConnection(oauthKey, connectionId);
        assert.equal(data.provider, conn.provider);
        assert.deepEqual(findSecretValues(data), []);

        const withCredentials = await nango.getIntegration({ uniqueKey: oauthKey }, { include: ['credentials'] });
        assert.equal(withCredentials.data.unique_key, oauthKey);
        assert.deepEqual(findSecretValues(withCredentials.data), []);
    });

    test('getIntegration of an unknown key is rejected with 404', opts, async () => {
        await assertRejectsWithStatus(nango.getIntegration({ uniqueKey: `no-such-integration-${runTag}` }), 404);
    });

    test('listProviders and getProvider describe the catalog', opts, async () => {
        const { data: integration } = await nango.getIntegration({ uniqueKey: oauthKey });
        const { data: providers } = await nango.listProviders({});
        assert.ok(Array.isArray(providers), 'GET /providers must answer {data: [...]}');
        const listed = providers.find((p) => p.name === integration.provider);
        assert.ok(listed, `provider ${integration.provider} missing from listProviders()`);
        assert.equal(listed.auth_mode, 'OAUTH2');

        const { data: provider } = await nango.getProvider({ provider: integration.provider });
        assert.equal(provider.name, integration.provider);
        assert.equal(provider.auth_mode, 'OAUTH2');
        assert.equal(typeof provider.display_name, 'string');
    });

    test('createConnectSession returns a token', opts, async () => {
        const { data } = await nango.createConnectSession({
            end_user: { id: `end-user-${runTag}` },
            allowed_integrations: [oauthKey]
        });
        assert.equal(typeof data.token, 'string');
        assert.ok(data.token.length > 0);
        assertIsoDate(data.expires_at, 'expires_at');
        assert.ok(Date.parse(data.expires_at) > Date.now(), 'a new session must expire in the future');
    });

    test('createConnectSession accepts Nango\'s whole body and refuses unknown integrations', opts, async () => {
        const { data } = await nango.createConnectSession({
            end_user: { id: `end-user-${runTag}`, email: 'ada@example.com', display_name: 'Ada', tags: { plan: 'pro' } },
            organization: { id: `org-${runTag}`, display_name: 'Acme' },
            allowed_integrations: [oauthKey],
            integrations_config_defaults: {
                [oauthKey]: { user_scopes: 'read:me', authorization_params: { prompt: 'login' }, connection_config: { subdomain: 'acme' } }
            },
            tags: { team: 'blue' }
        });
        assert.equal(typeof data.token, 'string');
        assert.equal(typeof data.connect_link, 'string');
        assertIsoDate(data.expires_at, 'expires_at');
        await assertRejectsWithStatus(nango.createConnectSession({
            end_user: { id: `end-user-${runTag}` },
            allowed_integrations: [`no-such-integration-${runTag}`]
        }), 400);
    });

    test('createReconnectSession binds a session to an existing connection; an unknown one is 404', opts, async () => {
        const { data } = await nango.createReconnectSession({
            connection_id: connectionId,
            integration_id: oauthKey,
            end_user: { id: `end-user-${runTag}` }
        });
        assert.equal(typeof data.token, 'string');
        assert.ok(data.token.length > 0);
        assertIsoDate(data.expires_at, 'expires_at');
        assert.ok(Date.parse(data.expires_at) > Date.now(), 'a new session must expire in the future');
        await assertRejectsWithStatus(nango.createReconnectSession({
            connection_id: `missing-${runTag}`,
            integration_id: oauthKey
        }), 404);
    });

    test('deleteConnection removes the connection; getConnection then answers 404', opts, async () => {
        const response = await nango.deleteConnection(oauthKey, connectionId);
        assert.ok(response.status >= 200 && response.status < 300);
        await assertRejectsWithStatus(nango.getConnection(oauthKey, connectionId), 404);

        const { connections } = await nango.listConnections(connectionId);
        assert.deepEqual(connections.map((c) => c.provider_config_key), [apiKeyKey]);

        await nango.deleteConnection(apiKeyKey, connectionId);
        await assertRejectsWithStatus(nango.getConnection(apiKeyKey, connectionId), 404);
        assert.deepEqual((await nango.listConnections(connectionId)).connections, []);
    });

    test('deleteConnection of an unknown connection is rejected with 404', opts, async () => {
        await assertRejectsWithStatus(nango.deleteConnection(oauthKey, `missing-${runTag}`), 404);
    });

    test('a wrong secret key is rejected with 401', opts, async () => {
        const intruder = new Nango({ host, apiKey: `wrong-${runTag}` });
        await assertRejectsWithStatus(intruder.listIntegrations(), 401);
        await assertRejectsWithStatus(intruder.listConnections(), 401);
        await assertRejectsWithStatus(intruder.getConnection(apiKeyKey, connectionId), 401);
    });
});
