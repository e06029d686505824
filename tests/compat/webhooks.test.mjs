// Connection events against the real binaries: `ferry serve` with webhook_url set, in front
// of fake-atlassian, and a loopback receiver that checks every delivery with the official
// @nangohq/node verifier (verifyIncomingWebhookRequest) before answering as the test says.
// The same loopback server plays a provider's token revocation endpoint (RFC 7009) at
// /revoke, for the integration "revocable".
//
// Environment (run-suite.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Nango } from '@nangohq/node';
import { callApi, connectOverHttp, eventually, freePort, sleep, start, startFakeAtlassian, stopAll } from './servers.mjs';
import { tempFolder } from '../support/node/children.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ferryBinary = process.env.FERRY_BINARY;
const fakeBinary = process.env.FAKE_ATLASSIAN_BINARY;
const skipReason = ferryBinary && fakeBinary ? false : 'FERRY_BINARY and FAKE_ATLASSIAN_BINARY must be set';

const secretKey = 'webhooks-secret-key-0123456789abcdef';
const publicKey = 'webhooks-public-key-0123456789abcdef';
const signingKey = 'webhooks-signing-key-9876543210';
const kStepTimeoutMs = 120_000;

/**
 * The backend's webhook endpoint. Answers each POST with the next of `answers` ({status,
 * headers}), 200 once they run out, and records what came: the raw body, its headers,
 * whether the SDK's verifier accepts it, the status answered and the time.
 */
class Receiver {
    constructor() {
        this.answers = [];
        this.received = [];
        this.revocations = [];          // the forms POSTed to /revoke
        this.revocationStatus = 200;    // what /revoke answers
        this.dripping = [];             // answers left unfinished on purpose
        this.verifier = new Nango({ secretKey: 'not-the-signing-key', webhookSigningKey: signingKey, host: 'http://127.0.0.1:1' });
        this.server = createServer((req, res) => {
            const chunks = [];
            req.on('data', (chunk) => chunks.push(chunk));
            req.on('end', () => {
                const raw = Buffer.concat(chunks).toString('utf8');
                if (req.url === '/revoke') {
                    this.revocations.push({ form: Object.fromEntries(new URLSearchParams(raw)), headers: req.headers });
                    res.writeHead(this.revocationStatus, { 'Content-Type': 'application/json' });
                    res.end(this.revocationStatus === 200 ? '{}' : '{"error":"temporarily_unavailable","error_description":"try later"}');
                    return;
                }
                const answer = this.answers.shift() || { status: 200 };
                this.received.push({
                    raw,
                    body: JSON.parse(raw),
                    headers: req.headers,
                    verified: this.verifier.verifyIncomingWebhookRequest(raw, req.headers),
                    status: answer.status,
                    at: Date.now()
                });
                if (answer.drip) {
                    // Announces a large body, sends one byte of it and never the rest.
                    res.writeHead(answer.status, { 'Content-Length': '1000000' });
                    res.write('{');
                    this.dripping.push(res);
                    return;
                }
                res.writeHead(answer.status, answer.headers || {});
                res.end('{}');
            });
        });
    }
    async listen() {
        await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        this.base = `http://127.0.0.1:${this.server.address().port}`;
        return `${this.base}/hooks`;
    }
    close() {
        for (const res of this.dripping) res.destroy();
        this.server.close();
    }
    /** The deliveries answered 2xx. */
    delivered() {
        return this.received.filter((r) => r.status >= 200 && r.status < 300);
    }
    ofEvent(event) {
        return this.delivered().filter((r) => r.body.event === event);
    }
}

/** fake-atlassian, a receiver and `ferry serve` on a folder wired to both. */
async function setUp() {
    const fakeUrl = await startFakeAtlassian(fakeBinary);
    const receiver = new Receiver();
    const hookUrl = await receiver.listen();
    const port = await freePort();
    const ferryUrl = `http://127.0.0.1:${port}`;
    const folder = tempFolder('ferry-webhooks-');
    writeFileSync(join(folder, 'ferry.yaml'),
        `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
        `secret_key: ${secretKey}\npublic_key: ${publicKey}\n` +
        `webhook_url: ${hookUrl}\nwebhook_signing_key: ${signingKey}\n`);
    writeFileSync(join(folder, 'integrations.yaml'),
        'integrations:\n' +
        '  jira:\n' +
        '    extends_blueprint: jira:v0\n' +
        '    oauth_client_id: fake-client-id\n' +
        '    oauth_client_secret: fake-client-secret\n' +
        '    oauth_scopes: [read:jira-work, read:jira-user, offline_access]\n' +
        '    auth:\n' +
        `      authorization_url: ${fakeUrl}/authorize\n` +
        `      token_url: ${fakeUrl}/oauth/token\n` +
        '    requests:\n' +
        `      base_url: ${fakeUrl}/\n` +
        '  revocable:\n' +
        '    oauth_client_id: revocable-client\n' +
        '    oauth_client_secret: revocable-secret\n' +
        '    auth:\n' +
        '      auth_mode: OAUTH2\n' +
        `      authorization_url: ${fakeUrl}/authorize\n` +
        `      token_url: ${fakeUrl}/oauth/token\n` +
        `      revocation_url: ${receiver.base}/revoke\n` +
        '    requests:\n' +
        `      base_url: ${fakeUrl}/\n`);
    const env = { folder, fakeUrl, ferryUrl, receiver };
    env.ferry = await startServer(env);
    env.nango = new Nango({ secretKey, host: ferryUrl });
    return env;
}

/** Starts `ferry serve` on the environment's folder; resolves with the child. */
async function startServer(env) {
    const [child] = await start([ferryBinary, 'serve', env.folder], /Ferry listening on/);
    return child;
}

const api = (env, method, path, body) => callApi(env.ferryUrl, secretKey, method, path, body);

const connect = (env, query) => connectOverHttp(env.ferryUrl, 'jira', query);

async function connectNew(env, connectionId) {
    await connect(env, { connection_id: connectionId, public_key: publicKey });
}

async function reconnect(env, connectionId) {
    const { data } = await env.nango.createReconnectSession({ connection_id: connectionId, integration_id: 'jira' });
    await connect(env, { connection_id: connectionId, connect_session_token: data.token });
}

async function importConnection(env, connectionId, integration = 'jira') {
    const created = await api(env, 'POST', '/connections', {
        provider_config_key: integration,
        connection_id: connectionId,
        credentials: { type: 'OAUTH2', access_token: `at-${connectionId}`, refresh_token: `rt-${connectionId}` }
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
}

async function deliveries(env, query = '') {
    const listed = await api(env, 'GET', `/webhooks/deliveries?limit=0${query}`);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    return listed.body.deliveries;
}

describe('connection events reach the backend', { skip: skipReason, timeout: 6 * kStepTimeoutMs }, () => {
    const opts = { timeout: kStepTimeoutMs };
    const environments = [];

    afterEach(async () => {
        for (const env of environments.splice(0)) env.receiver.close();
        await stopAll();
    });
    after(async () => {
        await stopAll();
    });

    test('creation and override events arrive signed in Nango\'s shape and pass the SDK\'s verifier', opts, async () => {
        const env = await setUp();
        environments.push(env);
        await connectNew(env, 'user-1');
        await eventually(() => env.receiver.delivered(), (d) => d.length >= 1);
        await reconnect(env, 'user-1');
        const got = await eventually(() => env.receiver.delivered(), (d) => d.length >= 2);
        assert.equal(got.length, 2, JSON.stringify(got.map((r) => r.body)));

        const [created, overridden] = got;
        for (const delivery of got) {
            assert.ok(delivery.verified, `the SDK refused ${delivery.raw}`);
            assert.equal(delivery.headers['content-type'], 'application/json');
            assert.equal(delivery.headers['x-ferry-event-id'], delivery.body.eventId);
            assert.match(delivery.body.eventId, /^evt_[0-9a-f]{32}$/);
            assert.equal(delivery.body.from, 'nango');
            assert.equal(delivery.body.type, 'auth');
            assert.equal(delivery.body.connectionId, 'user-1');
            assert.equal(delivery.body.providerConfigKey, 'jira');
            assert.equal(delivery.body.provider, 'jira');
            assert.equal(delivery.body.authMode, 'OAUTH2');
            assert.equal(delivery.body.environment, 'prod');
            assert.equal(delivery.body.success, true);
            // Never a token in an event.
            assert.ok(!/access_token|refresh_token/.test(delivery.raw), delivery.raw);
        }
        assert.equal(created.body.operation, 'creation');
        assert.equal(created.body.event, 'connection.created');
        assert.equal(overridden.body.operation, 'override');
        assert.equal(overridden.body.event, 'connection.overridden');
        assert.notEqual(created.body.eventId, overridden.body.eventId);

        // The verifier is not a rubber stamp: another key, or a changed body, fails.
        const stranger = new Nango({ secretKey: 'x', webhookSigningKey: 'another-key', host: 'http://127.0.0.1:1' });
        assert.equal(stranger.verifyIncomingWebhookRequest(created.raw, created.headers), false);
        assert.equal(env.receiver.verifier.verifyIncomingWebhookRequest(created.raw + ' ', created.headers), false);
        // The older verifyWebhookSignature (the signature header and the parsed body) agrees.
        const signature = created.headers['x-nango-signature'];
        assert.equal(env.receiver.verifier.verifyWebhookSignature(signature, JSON.parse(created.raw)), true);
        assert.equal(stranger.verifyWebhookSignature(signature, JSON.parse(created.raw)), false);
    });

    test('a revoked grant gives one refresh_failed event, and a reconnect one recovered', opts, async () => {
        const env = await setUp();
        environments.push(env);
        await connectNew(env, 'user-2');
        await eventually(() => env.receiver.delivered(), (d) => d.length >= 1);
        const revoked = await fetch(`${env.fakeUrl}/__admin/revoke`, { method: 'POST', body: '{}' });
        assert.equal(revoked.status, 200);
        // Each forced refresh is refused; only the first failure is an event.
        for (let i = 0; i < 3; ++i) {
            const got = await api(env, 'GET', '/connections/user-2?provider_config_key=jira&force_refresh=true');
            assert.equal(got.status, 424, JSON.stringify(got.body));
        }
        const failed = await eventually(() => env.receiver.ofEvent('connection.refresh_failed'), (d) => d.length >= 1);
        assert.equal(failed.length, 1);
        assert.equal(failed[0].body.operation, 'refresh');
        assert.equal(failed[0].body.success, false);
        assert.equal(failed[0].body.error.type, 'refresh_token_external_error');
        assert.match(failed[0].body.error.description, /reconnected/);
        assert.ok(failed[0].verified);

        await reconnect(env, 'user-2');
        const recovered = await eventually(() => env.receiver.ofEvent('connection.refresh_recovered'), (d) => d.length >= 1);
        assert.equal(recovered.length, 1);
        assert.equal(recovered[0].body.success, true);
        // The calls work again, and nothing more is said.
        const got = await api(env, 'GET', '/connections/user-2?provider_config_key=jira&force_refresh=true');
        assert.equal(got.status, 200, JSON.stringify(got.body));
        await sleep(1500);
        assert.equal(env.receiver.ofEvent('connection.refresh_failed').length, 1);
        assert.equal(env.receiver.ofEvent('connection.refresh_recovered').length, 1);
        assert.deepEqual(env.receiver.delivered().map((r) => r.body.event),
            ['connection.created', 'connection.refresh_failed', 'connection.overridden', 'connection.refresh_recovered']);
    });

    test('500, then 429 with Retry-After: 2, then 200: delivered once, the same event, after the wait', opts, async () => {
        const env = await setUp();
        environments.push(env);
        env.receiver.answers = [{ status: 500 }, { status: 429, headers: { 'Retry-After': '2' } }];
        await importConnection(env, 'imported-1');
        const got = await eventually(() => env.receiver.received, (r) => r.length >= 3);
        await sleep(1500);
        assert.equal(env.receiver.received.length, 3, JSON.stringify(env.receiver.received.map((r) => r.status)));
        assert.deepEqual(got.map((r) => r.status), [500, 429, 200]);
        assert.equal(new Set(got.map((r) => r.body.eventId)).size, 1);
        assert.equal(new Set(got.map((r) => r.raw)).size, 1, 'every attempt sends the same bytes');
        assert.ok(got.every((r) => r.verified));
        assert.ok(got[2].at - got[1].at >= 1900, `the retry after 429 came ${got[2].at - got[1].at} ms later`);

        const [event] = await deliveries(env);
        assert.equal(event.id, got[0].body.eventId);
        assert.equal(event.state, 'delivered');
        assert.equal(event.attempts, 3);
        assert.deepEqual(event.attempt_log.map((a) => a.status), [500, 429, 200]);
        assert.equal(event.payload.connectionId, 'imported-1');
    });

    test('a receiver that never finishes its answer body cannot hold a delivery: the status decides', opts, async () => {
        const env = await setUp();
        environments.push(env);
        env.receiver.answers = [{ status: 200, drip: true }];
        await importConnection(env, 'dripped-1');
        const [event] = await eventually(() => deliveries(env), (d) => d.length === 1 && d[0].state === 'delivered', 5_000);
        assert.equal(event.state, 'delivered', JSON.stringify(event));
        assert.equal(event.attempts, 1);
        assert.equal(env.receiver.received.length, 1);
    });

    test('an answer retrying cannot fix dead-letters the event, and a replay sends it again', opts, async () => {
        const env = await setUp();
        environments.push(env);
        env.receiver.answers = [{ status: 400 }];
        await importConnection(env, 'imported-2');
        const dead = await eventually(() => deliveries(env, '&state=dead'), (d) => d.length === 1);
        assert.equal(dead.length, 1);
        assert.equal(dead[0].attempts, 1);
        assert.match(dead[0].attempt_log[0].error, /400/);
        await sleep(1500);
        assert.equal(env.receiver.received.length, 1, 'a 400 is not retried');

        const replayed = await api(env, 'POST', `/webhooks/deliveries/${dead[0].id}/replay`);
        assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
        const got = await eventually(() => env.receiver.delivered(), (d) => d.length >= 1);
        assert.equal(got[0].body.eventId, dead[0].id);
        const [after] = await eventually(() => deliveries(env), (d) => d[0].state === 'delivered');
        assert.equal(after.state, 'delivered');
        assert.equal(after.attempts, 2);
        const again = await api(env, 'POST', '/webhooks/deliveries/evt_0000/replay');
        assert.equal(again.status, 404);
    });

    test('deleting a connection revokes its tokens first (RFC 7009), and a failed revocation does not stop it', opts, async () => {
        const env = await setUp();
        environments.push(env);
        await importConnection(env, 'gone-1', 'revocable');
        const deleted = await api(env, 'DELETE', '/connections/gone-1?provider_config_key=revocable');
        assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
        assert.deepEqual(deleted.body, { success: true, revocation: { revoked: true } });
        assert.equal(env.receiver.revocations.length, 1);
        assert.deepEqual(env.receiver.revocations[0].form, {
            token: 'rt-gone-1', token_type_hint: 'refresh_token',
            client_id: 'revocable-client', client_secret: 'revocable-secret'
        });
        assert.equal(env.receiver.revocations[0].headers['content-type'], 'application/x-www-form-urlencoded');

        env.receiver.revocationStatus = 503;
        await importConnection(env, 'gone-2', 'revocable');
        const still = await api(env, 'DELETE', '/connections/gone-2?provider_config_key=revocable');
        assert.equal(still.status, 200, JSON.stringify(still.body));
        assert.equal(still.body.revocation.revoked, false);
        assert.match(still.body.revocation.error, /answered 503: temporarily_unavailable: try later/);
        assert.ok(!still.body.revocation.error.includes('rt-gone-2'));
        const gone = await api(env, 'GET', '/connections/gone-2?provider_config_key=revocable');
        assert.equal(gone.status, 404);
        const logs = await eventually(async () => (await api(env, 'GET', '/logs?type=revocation')).body.logs,
            (l) => l.length === 2);
        assert.deepEqual(logs.map((l) => l.level), ['warn', 'info']);
        // Both deletions were events; an integration without an endpoint is deleted without a call.
        await eventually(() => env.receiver.ofEvent('connection.deleted'), (d) => d.length === 2);
        await importConnection(env, 'plain-1');
        const plain = await api(env, 'DELETE', '/connections/plain-1?provider_config_key=jira');
        assert.deepEqual(plain.body, { success: true });
        assert.equal(env.receiver.revocations.length, 2);
    });

    test('kill -9 with 100 undelivered events: after a restart all 100 arrive, each under one id', opts, async () => {
        const env = await setUp();
        environments.push(env);
        // The receiver fails everything until Ferry is killed.
        env.receiver.answers = Array.from({ length: 100000 }, () => ({ status: 503 }));
        for (let i = 0; i < 100; ++i) await importConnection(env, `bulk-${i}`);
        await eventually(() => env.receiver.received, (r) => r.length >= 20);
        env.ferry.kill('SIGKILL');
        await new Promise((resolve) => env.ferry.once('exit', resolve));
        assert.equal(env.receiver.delivered().length, 0);
        env.receiver.answers = [];

        env.ferry = await startServer(env);
        const got = await eventually(() => env.receiver.delivered(),
            (d) => new Set(d.map((r) => r.body.connectionId)).size >= 100, 100_000);
        const idsByConnection = new Map();
        for (const r of got) {
            assert.ok(r.verified);
            const ids = idsByConnection.get(r.body.connectionId) || new Set();
            ids.add(r.body.eventId);
            idsByConnection.set(r.body.connectionId, ids);
        }
        assert.equal(idsByConnection.size, 100);
        for (const [connection, ids] of idsByConnection) {
            assert.equal(ids.size, 1, `${connection} was sent under ${[...ids].join(', ')}`);
        }
        const left = await eventually(() => deliveries(env, '&state=pending'), (d) => d.length === 0);
        assert.equal(left.length, 0);
    });
});
