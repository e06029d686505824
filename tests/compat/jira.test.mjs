// Jira end to end against the real binaries: `ferry serve` in front of fake-atlassian (three
// sites, its own clock) and a loopback backend receiver that checks every webhook with the
// official @nangohq/node verifier. A user with several sites connects the one they name;
// Jira webhooks registered through Ferry outlive Jira's 30 days because Ferry refreshes
// them, and each delivery reaches the backend as Nango's forward webhook for the connection
// on its site; a delivery for a site without a connection is kept and listed.
//
// Environment (run-suite.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Nango } from '@nangohq/node';
import { callApi, connectOverHttp, eventually, freePort, sleep, start, startFakeAtlassian, stopAll } from './servers.mjs';
import { tempFolder } from '../support/node/children.mjs';

const ferryBinary = process.env.FERRY_BINARY;
const fakeBinary = process.env.FAKE_ATLASSIAN_BINARY;
const skipReason = ferryBinary && fakeBinary ? false : 'FERRY_BINARY and FAKE_ATLASSIAN_BINARY must be set';

const secretKey = 'jira-secret-key-0123456789abcdef';
const publicKey = 'jira-public-key-0123456789abcdef';
const signingKey = 'jira-signing-key-9876543210';
const kStepTimeoutMs = 120_000;
const kDay = 24 * 3600;
const sites = {
    acme: '1324a887-45db-1bf4-1e99-ef0ff456d421',
    globex: '8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64',
    initech: '5d1c7b3e-2f8a-4c69-9e04-7a3b6d2c8f15'
};

describe('Jira sites and webhooks through Ferry', { skip: skipReason, timeout: 4 * kStepTimeoutMs }, () => {
    const opts = { timeout: kStepTimeoutMs };
    let fakeUrl;
    let ferryUrl;
    let receiver;
    const received = [];
    const verifier = new Nango({ secretKey: 'unused', webhookSigningKey: signingKey, host: 'http://127.0.0.1:1' });

    const api = (method, path, body) => callApi(ferryUrl, secretKey, method, path, body);

    async function admin(path, body, method = 'POST') {
        const response = await fetch(`${fakeUrl}/__admin/${path}`,
            { method, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        return JSON.parse(text);
    }

    /** The browser's steps of a connect flow over plain HTTP, naming the site by subdomain. */
    async function connect(connectionId, subdomain) {
        await connectOverHttp(ferryUrl, 'jira',
            { public_key: publicKey, connection_id: connectionId, 'params[subdomain]': subdomain });
        const connection = await api('GET', `/connections/${connectionId}?provider_config_key=jira`);
        assert.equal(connection.body.connection_config.cloudId, sites[subdomain]);
        assert.equal(connection.body.connection_config.sites.length, 3);
    }

    async function register(connectionId) {
        const registered = await api('POST', `/connections/${connectionId}/jira-webhooks?provider_config_key=jira`,
            { webhooks: [{ events: ['jira:issue_created', 'jira:issue_updated'], jqlFilter: 'project = PROJ' }] });
        assert.equal(registered.status, 200, JSON.stringify(registered.body));
        return registered.body.webhooks[0];
    }

    let keptId;

    function forwardsFor(connectionId) {
        return received.filter((r) => r.body.type === 'forward' && r.body.connectionId === connectionId);
    }

    before(async () => {
        fakeUrl = await startFakeAtlassian(fakeBinary, ['--sites', '3']);
        receiver = createServer((req, res) => {
            const chunks = [];
            req.on('data', (chunk) => chunks.push(chunk));
            req.on('end', () => {
                const raw = Buffer.concat(chunks).toString('utf8');
                received.push({ body: JSON.parse(raw), verified: verifier.verifyIncomingWebhookRequest(raw, req.headers) });
                res.end('{}');
            });
        });
        await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
        const port = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        const folder = tempFolder('ferry-jira-');
        writeFileSync(join(folder, 'ferry.yaml'),
            `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
            `secret_key: ${secretKey}\npublic_key: ${publicKey}\n` +
            `webhook_url: http://127.0.0.1:${receiver.address().port}/hooks\nwebhook_signing_key: ${signingKey}\n`);
        writeFileSync(join(folder, 'integrations.yaml'),
            'integrations:\n  jira:\n    extends_blueprint: jira:v0\n' +
            '    oauth_client_id: fake-client-id\n    oauth_client_secret: fake-client-secret\n' +
            '    oauth_scopes: [read:jira-work, read:jira-user, manage:jira-webhook, offline_access]\n' +
            `    auth:\n      authorization_url: ${fakeUrl}/authorize\n      token_url: ${fakeUrl}/oauth/token\n` +
            `    requests:\n      base_url: ${fakeUrl}/\n`);
        await start([ferryBinary, 'serve', folder], /Ferry listening on/);
        await connect('user-acme', 'acme');
        await connect('user-globex', 'globex');
        await connect('user-initech', 'initech');
    });

    after(async () => {
        await stopAll();
        receiver?.close();
    });

    test('a webhook Ferry refreshes outlives Jira\'s 30 days and reaches the backend for its connection', opts, async () => {
        const kept = await register('user-acme');
        keptId = kept.id;
        const lapsing = await register('user-globex');
        assert.ok(Date.parse(kept.expiresAt) > Date.now() + 29 * kDay * 1000, JSON.stringify(kept));

        // Day 29 on Jira's clock: Ferry refreshes user-acme's webhooks (its access token has
        // long expired by then, so the refresh goes through a token refresh too).
        await admin('clock', { advance_seconds: 29 * kDay });
        const refreshed = await api('POST', '/connections/user-acme/jira-webhooks/refresh?provider_config_key=jira');
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
        assert.ok(refreshed.body.webhooks[0].refreshedAt, JSON.stringify(refreshed.body));
        assert.ok(Date.parse(refreshed.body.webhooks[0].expiresAt) > Date.parse(kept.expiresAt),
            JSON.stringify(refreshed.body));

        // Day 31: the refreshed webhook still fires; the one nobody refreshed is gone.
        await admin('clock', { advance_seconds: 2 * kDay });
        const fired = await admin('webhooks/deliver', { cloud_id: sites.acme, event: 'jira:issue_created', issue_key: 'PROJ-7' });
        assert.deepEqual(fired.deliveries.map((d) => d.status), [200], JSON.stringify(fired));
        const silent = await admin('webhooks/deliver', { cloud_id: sites.globex, event: 'jira:issue_created', issue_key: 'PROJ-7' });
        assert.deepEqual(silent.deliveries, [], JSON.stringify(silent));
        assert.ok(lapsing.id > 0);

        const forwarded = await eventually(() => forwardsFor('user-acme'), (list) => list.length > 0);
        assert.equal(forwarded.length, 1, JSON.stringify(received.map((r) => r.body)));
        const [webhook] = forwarded;
        assert.ok(webhook.verified, 'the backend verifies the forward webhook with @nangohq/node');
        assert.equal(webhook.body.from, 'jira');
        assert.equal(webhook.body.providerConfigKey, 'jira');
        assert.equal(webhook.body.payload.webhookEvent, 'jira:issue_created');
        assert.equal(webhook.body.payload.issue.key, 'PROJ-7');
        assert.deepEqual(webhook.body.payload.matchedWebhookIds, [kept.id]);
        assert.equal(forwardsFor('user-globex').length, 0);
        assert.equal(forwardsFor('user-initech').length, 0);
    });

    test('a delivery for a site with no connection is kept and listed, never sent', opts, async () => {
        await register('user-initech');
        // The connection moves to another of its sites: initech keeps its webhook at Jira but
        // has no connection any more.
        const moved = await api('PUT', '/connections/user-initech/site?provider_config_key=jira', { subdomain: 'acme' });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        const fired = await admin('webhooks/deliver', { cloud_id: sites.initech, event: 'jira:issue_updated', issue_key: 'PROJ-3' });
        assert.deepEqual(fired.deliveries.map((d) => d.status), [200], JSON.stringify(fired));
        const listed = await api('GET', '/webhooks/deliveries?state=unroutable&integration=jira');
        assert.equal(listed.status, 200);
        assert.equal(listed.body.deliveries.length, 1, JSON.stringify(listed.body));
        const [kept] = listed.body.deliveries;
        assert.equal(kept.type, 'webhook.unroutable');
        assert.match(kept.payload.reason, /initech\.atlassian\.net/);
        assert.equal(kept.payload.payload.issue.key, 'PROJ-3');
        const replay = await api('POST', `/webhooks/deliveries/${kept.id}/replay`);
        assert.equal(replay.status, 409, JSON.stringify(replay.body));
        await sleep(500);
        assert.ok(!received.some((r) => r.body.event === 'webhook.unroutable'));
    });

    test('a forged delivery is refused and nothing is forwarded', opts, async () => {
        const before = received.length;
        const forged = await admin('webhooks/deliver',
            { cloud_id: sites.acme, event: 'jira:issue_created', issue_key: 'PROJ-8', secret: 'not-the-client-secret' });
        assert.deepEqual(forged.deliveries.map((d) => d.status), [401], JSON.stringify(forged));
        const unsigned = await admin('webhooks/deliver',
            { cloud_id: sites.acme, event: 'jira:issue_created', issue_key: 'PROJ-8', unsigned: true });
        assert.deepEqual(unsigned.deliveries.map((d) => d.status), [401], JSON.stringify(unsigned));
        await sleep(500);
        assert.equal(received.length, before);
    });

    test('deleting a connection deletes its Jira webhooks at Jira first', opts, async () => {
        const live = async () => (await admin('webhooks', undefined, 'GET')).webhooks.filter((w) => !w.expired);
        assert.ok((await live()).some((w) => w.id === keptId), JSON.stringify(await live()));
        const deleted = await api('DELETE', '/connections/user-acme?provider_config_key=jira');
        assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
        assert.deepEqual(deleted.body.jira_webhooks, { deleted: true });
        assert.ok(!(await live()).some((w) => w.id === keptId), JSON.stringify(await live()));
    });
});
