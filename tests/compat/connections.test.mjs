// Connections as Nango models them, through the real @nangohq/node 0.71.10: two end users
// of two organizations connect Jira through connect sessions (the browser's steps over plain
// HTTP against fake-atlassian), and every filter listConnections sends, waitForConnection,
// patchConnection and an override by POST /connections keep their connections apart.
//
// Environment: FERRY_BINARY, FAKE_ATLASSIAN_BINARY (tests/compat/run-suite.sh sets both).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Nango } from '@nangohq/node';
import { callApi, connectOverHttp, freePort, startFakeAtlassian, startFerry, stopAll } from './servers.mjs';

const ferryBinary = process.env.FERRY_BINARY;
const fakeBinary = process.env.FAKE_ATLASSIAN_BINARY;
const skipReason = ferryBinary && fakeBinary ? false : 'FERRY_BINARY and FAKE_ATLASSIAN_BINARY must be set';
const secretKey = 'compat-connections-secret-key-0123456789';
const opts = { timeout: 30_000 };

const ada = { id: 'u-ada', email: 'ada@engines.example', display_name: 'Ada Lovelace' };
const bob = { id: 'u-bob', email: 'bob@works.example', display_name: 'Bob Builder' };

describe('Connections of two end users through @nangohq/node', { skip: skipReason, timeout: 120_000 }, () => {
    let ferryUrl;
    let nango;
    const connectionOf = {};  // end user id -> the connection id its flow created

    const api = (method, path, body) => callApi(ferryUrl, secretKey, method, path, body);
    const idsOf = (list) => list.connections.map((c) => c.connection_id).sort();

    /** A connect session for `endUser` of `organization`, then its OAuth flow; the new id. */
    async function connectAs(endUser, organization, tags) {
        const { data } = await nango.createConnectSession({ end_user: endUser, organization, tags });
        await connectOverHttp(ferryUrl, 'jira', { connect_session_token: data.token });
        const mine = await api('GET', `/connections?endUserId=${endUser.id}&integrationId=jira`);
        assert.equal(mine.status, 200, JSON.stringify(mine.body));
        assert.equal(mine.body.connections.length, 1, JSON.stringify(mine.body));
        return mine.body.connections[0].connection_id;
    }

    before(async () => {
        const fakeUrl = await startFakeAtlassian(fakeBinary);
        const port = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        await startFerry(ferryBinary, {
            'ferry.yaml': `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
                `secret_key: ${secretKey}\n`,
            'integrations.yaml': 'integrations:\n' +
                '  jira:\n    extends_blueprint: jira:v0\n' +
                '    oauth_client_id: fake-client-id\n    oauth_client_secret: fake-client-secret\n' +
                '    oauth_scopes: [read:jira-work, offline_access]\n' +
                `    auth:\n      authorization_url: ${fakeUrl}/authorize\n      token_url: ${fakeUrl}/oauth/token\n` +
                `    requests:\n      base_url: ${fakeUrl}/\n` +
                '  close:\n    extends_blueprint: close:v0\n'
        });
        nango = new Nango({ secretKey, host: ferryUrl });
        connectionOf[ada.id] = await connectAs(ada, { id: 'org-engines', display_name: 'Engines' }, { plan: 'pro' });
        connectionOf[bob.id] = await connectAs(bob, { id: 'org-works' }, { plan: 'free' });
        // An API-key connection of Ada's, imported with her end user.
        const imported = await api('POST', '/connections', {
            provider_config_key: 'close', connection_id: 'ada-close',
            credentials: { type: 'API_KEY', apiKey: 'close-key-0123456789' }, end_user: { id: ada.id }
        });
        assert.equal(imported.status, 201, JSON.stringify(imported.body));
    });

    after(stopAll);

    test('a connection made through a connect session carries its end user and tags', opts, async () => {
        const connection = await nango.getConnection('jira', connectionOf[ada.id]);
        assert.deepEqual(connection.end_user, {
            id: ada.id, email: ada.email, display_name: ada.display_name, tags: null,
            organization: { id: 'org-engines', display_name: 'Engines' }
        });
        assert.deepEqual(connection.tags, {
            plan: 'pro', end_user_id: ada.id, end_user_email: ada.email,
            end_user_display_name: ada.display_name, organization_id: 'org-engines'
        });
    });

    test('listConnections({ userId }) returns that end user\'s connections only', opts, async () => {
        assert.deepEqual(idsOf(await nango.listConnections({ userId: ada.id })), ['ada-close', connectionOf[ada.id]].sort());
        assert.deepEqual(idsOf(await nango.listConnections({ userId: bob.id })), [connectionOf[bob.id]]);
        assert.deepEqual(idsOf(await nango.listConnections({ userId: 'u-nobody' })), []);
        assert.deepEqual(idsOf(await nango.listConnections({ userId: ada.id, integrationId: 'jira' })), [connectionOf[ada.id]]);
    });

    test('the legacy signature\'s endUserId, endUserOrganizationId and search filters', opts, async () => {
        assert.deepEqual(idsOf(await nango.listConnections(undefined, undefined, { endUserId: bob.id })), [connectionOf[bob.id]]);
        assert.deepEqual(idsOf(await nango.listConnections(undefined, undefined, { endUserOrganizationId: 'org-engines' })),
            [connectionOf[ada.id]]);
        assert.deepEqual(idsOf(await nango.listConnections(undefined, 'BUILDER')), [connectionOf[bob.id]]);
        assert.deepEqual(idsOf(await nango.listConnections(undefined, 'ada-clo')), ['ada-close']);
        assert.deepEqual(idsOf(await nango.listConnections(connectionOf[ada.id])), [connectionOf[ada.id]]);
    });

    test('listConnections({ tags }) matches every tag, email and displayName included', opts, async () => {
        assert.deepEqual(idsOf(await nango.listConnections({ tags: { email: bob.email } })), [connectionOf[bob.id]]);
        assert.deepEqual(idsOf(await nango.listConnections({ tags: { displayName: ada.display_name } })), [connectionOf[ada.id]]);
        assert.deepEqual(idsOf(await nango.listConnections({ tags: { Plan: 'pro', organization_id: 'org-engines' } })),
            [connectionOf[ada.id]]);
        assert.deepEqual(idsOf(await nango.listConnections({ tags: { plan: 'pro', end_user_id: bob.id } })), []);
    });

    test('limit and page cut the filtered list', opts, async () => {
        const first = await nango.listConnections({ userId: ada.id, limit: 1 });
        const second = await nango.listConnections({ userId: ada.id, limit: 1, page: 1 });
        const third = await nango.listConnections({ userId: ada.id, limit: 1, page: 2 });
        assert.equal(first.connections.length, 1);
        assert.equal(second.connections.length, 1);
        assert.notEqual(first.connections[0].connection_id, second.connections[0].connection_id);
        assert.deepEqual(third.connections, []);
    });

    test('a filter the server does not know is refused, never ignored', opts, async () => {
        const refused = await api('GET', `/connections?end_user_id=${ada.id}`);
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assert.equal(refused.body.error.code, 'invalid_argument');
        assert.match(refused.body.error.message, /unknown query parameter "end_user_id"/);
    });

    test('waitForConnection finds the end user\'s own connection, never another\'s', opts, async () => {
        const found = await nango.waitForConnection('jira', bob.id);
        assert.equal(found.connection_id, connectionOf[bob.id]);
        // An end user without a connection keeps waiting (until aborted) instead of being
        // handed somebody else's.
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 500);
        await assert.rejects(nango.waitForConnection('jira', 'u-nobody', { signal: controller.signal }),
            /Wait for connection was aborted/);
    });

    test('patchConnection moves a connection to another end user and sets its tags', opts, async () => {
        const answer = await nango.patchConnection({ connectionId: 'ada-close', provider_config_key: 'close' },
            { end_user: { id: 'u-carol', email: 'carol@example.com' }, tags: { team: 'ops' } });
        assert.deepEqual(answer, { success: true });
        assert.deepEqual(idsOf(await nango.listConnections({ userId: ada.id })), [connectionOf[ada.id]]);
        assert.deepEqual(idsOf(await nango.listConnections({ userId: 'u-carol' })), ['ada-close']);
        const patched = await nango.getConnection('close', 'ada-close');
        assert.deepEqual(patched.tags, { team: 'ops', end_user_id: 'u-carol', end_user_email: 'carol@example.com' });
        await assert.rejects(nango.patchConnection({ connectionId: 'ghost', provider_config_key: 'close' }, { tags: {} }),
            (error) => error.response?.status === 404);
    });

    test('POST /connections overrides an existing connection and keeps its metadata', opts, async () => {
        await nango.setMetadata('jira', connectionOf[bob.id], { plan: 'free' });
        const overridden = await api('POST', '/connections', {
            provider_config_key: 'jira', connection_id: connectionOf[bob.id],
            credentials: { type: 'OAUTH2', access_token: 'at-reimported', refresh_token: 'rt-reimported' }
        });
        assert.equal(overridden.status, 200, JSON.stringify(overridden.body));
        const connection = await nango.getConnection('jira', connectionOf[bob.id]);
        assert.equal(connection.credentials.access_token, 'at-reimported');
        assert.deepEqual(connection.metadata, { plan: 'free' });
        assert.equal(connection.end_user.id, bob.id, 'the end user stays when the body names none');
        assert.deepEqual(idsOf(await nango.listConnections({ userId: bob.id })), [connectionOf[bob.id]]);
    });
});
