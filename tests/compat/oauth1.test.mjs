// OAuth 1.0a end to end against the real binary and tools/fake-oauth1, a loopback provider
// that verifies every signature with its own implementation of RFC 5849: a user connects
// through the same connect flow as OAuth 2 (request token, consent, verifier, access
// token); the connection's calls through the proxy (queries, form bodies, retries) and
// through an action are signed, per attempt, with HMAC-SHA1, HMAC-SHA256 or PLAINTEXT; a
// refused consent, a replayed callback and a revoked token end as they should.
//
// Environment (run-suite.sh sets it): FERRY_BINARY.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Nango } from '@nangohq/node';
import { callApi, freePort, start, stopAll } from './servers.mjs';
import { tempFolder } from '../support/node/children.mjs';

const ferryBinary = process.env.FERRY_BINARY;
const skipReason = ferryBinary ? false : 'FERRY_BINARY must be set';
const fakeScript = join(dirname(fileURLToPath(import.meta.url)), '../../tools/fake-oauth1/server.mjs');

const secretKey = 'oauth1-secret-key-0123456789abcdef';
const publicKey = 'oauth1-public-key-0123456789abcdef';
const consumer = { key: 'boards-consumer', secret: 'boards consumer secret&1' };
const kStepTimeoutMs = 60_000;

describe('OAuth 1.0a through Ferry', { skip: skipReason, timeout: 6 * kStepTimeoutMs }, () => {
    const opts = { timeout: kStepTimeoutMs };
    let fakeUrl;
    let ferryUrl;
    let nango;

    const api = (method, path, body) => callApi(ferryUrl, secretKey, method, path, body);

    async function admin(path, method = 'POST') {
        const response = await fetch(`${fakeUrl}/__admin/${path}`, { method });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        return text ? JSON.parse(text) : null;
    }

    /** The browser's steps of a connect flow over plain HTTP; resolves with the callback's
     *  URL (as the provider sent it) and the page Ferry answered there. */
    async function connect(integration, connectionId) {
        const url = new URL(`${ferryUrl}/oauth/connect/${integration}`);
        url.searchParams.set('public_key', publicKey);
        url.searchParams.set('connection_id', connectionId);
        const toProvider = await fetch(url, { redirect: 'manual' });
        assert.equal(toProvider.status, 302, await toProvider.text());
        const consent = new URL(toProvider.headers.get('location'));
        assert.equal(consent.origin, fakeUrl);
        const toCallback = await fetch(consent, { redirect: 'manual' });
        assert.equal(toCallback.status, 302, await toCallback.text());
        const callback = new URL(toCallback.headers.get('location'));
        assert.equal(callback.origin, ferryUrl);
        const page = await fetch(callback);
        return { consent, callback, status: page.status, text: await page.text() };
    }

    async function connection(integration, connectionId) {
        return api('GET', `/connections/${connectionId}?provider_config_key=${integration}`);
    }

    before(async () => {
        const [, match] = await start([process.execPath, fakeScript, '--port', '0',
            '--consumer', `${consumer.key}:${consumer.secret}`], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
        fakeUrl = match[1];
        const port = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        const folder = tempFolder('ferry-oauth1-');
        writeFileSync(join(folder, 'ferry.yaml'),
            `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
            `secret_key: ${secretKey}\npublic_key: ${publicKey}\n`);
        // X's blueprint (OAuth 1.0a, signed by Ferry) pointed at the fake, once per method.
        const integration = (name, method) =>
            `  ${name}:\n    extends_blueprint: twitter:v0\n` +
            `    oauth_client_id: ${consumer.key}\n    oauth_client_secret: "${consumer.secret}"\n` +
            `    auth:\n      request_url: ${fakeUrl}/oauth/request_token\n` +
            `      authorization_url: ${fakeUrl}/oauth/authorize\n` +
            `      token_url: ${fakeUrl}/oauth/access_token\n      signature_method: ${method}\n` +
            `    requests:\n      base_url: ${fakeUrl}/\n` +
            '    retry:\n      base_delay_ms: 50\n      max_delay_ms: 200\n';
        writeFileSync(join(folder, 'integrations.yaml'), 'integrations:\n' +
            integration('boards', 'HMAC-SHA1') + integration('boards256', 'HMAC-SHA256') +
            integration('boardsplain', 'PLAINTEXT'));
        mkdirSync(join(folder, 'boards'));
        writeFileSync(join(folder, 'boards', 'me.action.lua'),
            'return function(nango, input)\n' +
            '  local me = nango:get{ endpoint = "/1/members/me" }\n' +
            '  local echo = nango:post{ endpoint = "/1/echo", params = { q = "a b" },\n' +
            '    headers = { ["Content-Type"] = "application/x-www-form-urlencoded" },\n' +
            '    data = "status=" .. input.status }\n' +
            '  return { status = me.status, username = me.json.username, form = echo.json.form, query = echo.json.query }\n' +
            'end\n');
        await start([ferryBinary, 'serve', folder], /Ferry listening on/);
        nango = new Nango({ secretKey, host: ferryUrl });
    });

    after(stopAll);

    test('a user connects through request token, consent and verifier', opts, async () => {
        const flow = await connect('boards', 'user-1');
        assert.equal(flow.status, 200, flow.text);
        assert.match(flow.text, /AUTHORIZATION_SUCEEDED/);
        // The callback carried Ferry's state next to the provider's token and verifier.
        assert.ok(flow.callback.searchParams.get('state'));
        assert.ok(flow.callback.searchParams.get('oauth_verifier'));
        const stored = await connection('boards', 'user-1');
        assert.equal(stored.status, 200, JSON.stringify(stored.body));
        assert.equal(stored.body.credentials.type, 'OAUTH1');
        assert.ok(stored.body.credentials.oauth_token);
        assert.ok(stored.body.credentials.oauth_token_secret);
        assert.equal(stored.body.credentials.raw.screen_name, 'fake_user');
        const requests = await admin('requests', 'GET');
        const requestToken = requests.find((r) => r.path === '/oauth/request_token');
        assert.equal(requestToken.verified, true, JSON.stringify(requestToken));
        assert.equal(requestToken.query.x_auth_access_type, 'write');
        assert.ok(requests.filter((r) => r.path === '/oauth/access_token').every((r) => r.verified));
    });

    test('proxied calls are signed: query, form body and every retry', opts, async () => {
        const me = await nango.get({ endpoint: '/1/members/me', providerConfigKey: 'boards', connectionId: 'user-1' });
        assert.equal(me.status, 200);
        assert.equal(me.data.username, 'fake_user');

        const status = 'Hello Ladies + Gentlemen, a signed OAuth request!';
        const echo = await nango.proxy({
            method: 'POST', endpoint: '/1/echo', providerConfigKey: 'boards', connectionId: 'user-1',
            params: { include_entities: 'true', note: 'a b&c' },
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            data: `status=${encodeURIComponent(status)}&empty=`
        });
        assert.equal(echo.status, 200);
        assert.deepEqual(echo.data.form, { status, empty: '' });
        assert.deepEqual(echo.data.query, { include_entities: 'true', note: 'a b&c' });
        assert.equal(echo.data.signature_method, 'HMAC-SHA1');

        // The first attempt is verified and answered 503; the retry must carry a new nonce
        // (the fake refuses a nonce it has seen) and succeed.
        await admin('reset');
        await admin('fail-next?status=503&count=1');
        const retried = await nango.get({ endpoint: '/1/members/me', providerConfigKey: 'boards', connectionId: 'user-1' });
        assert.equal(retried.status, 200);
        const attempts = (await admin('requests', 'GET')).filter((r) => r.path === '/1/members/me');
        assert.equal(attempts.length, 2, JSON.stringify(attempts));
        assert.ok(attempts.every((r) => r.verified), JSON.stringify(attempts));
        assert.notEqual(attempts[0].nonce, attempts[1].nonce);
    });

    test('post, put, patch and delete go through signed, each with its method and JSON body', opts, async () => {
        const call = { endpoint: '/1/echo', providerConfigKey: 'boards', connectionId: 'user-1' };
        for (const method of ['post', 'put', 'patch', 'delete']) {
            const data = method === 'delete' ? undefined : { method, n: 1 };
            const answer = await nango[method]({ ...call, params: { via: method }, data });
            assert.equal(answer.status, 200, `${method}: ${JSON.stringify(answer.data)}`);
            assert.equal(answer.data.method, method.toUpperCase());
            assert.deepEqual(answer.data.query, { via: method });
            if (data) assert.deepEqual(JSON.parse(answer.data.body), data);
        }
        const log = (await admin('requests', 'GET')).filter((r) => r.path === '/1/echo');
        assert.ok(log.length >= 4 && log.every((r) => r.verified), JSON.stringify(log));
    });

    test('an action\'s calls are signed too', opts, async () => {
        const result = await nango.triggerAction('boards', 'user-1', 'me', { status: 'from%20an%20action' });
        assert.equal(result.status, 200);
        assert.equal(result.username, 'fake_user');
        assert.deepEqual(result.form, { status: 'from an action' });
        assert.deepEqual(result.query, { q: 'a b' });
    });

    test('HMAC-SHA256 and PLAINTEXT connections are signed with their method', opts, async () => {
        for (const [integration, method] of [['boards256', 'HMAC-SHA256'], ['boardsplain', 'PLAINTEXT']]) {
            const flow = await connect(integration, 'user-1');
            assert.equal(flow.status, 200, flow.text);
            const echo = await nango.get({ endpoint: '/1/echo', providerConfigKey: integration, connectionId: 'user-1' });
            assert.equal(echo.status, 200);
            assert.equal(echo.data.signature_method, method);
        }
    });

    test('a refused consent and a replayed callback create nothing', opts, async () => {
        await admin('deny-next');
        const denied = await connect('boards', 'user-2');
        assert.equal(denied.status, 400, denied.text);
        assert.match(denied.text, /AUTHORIZATION_FAILED/);
        assert.match(denied.text, /did not authorize/);
        assert.equal((await connection('boards', 'user-2')).status, 404);

        const flow = await connect('boards', 'user-3');
        assert.equal(flow.status, 200, flow.text);
        const replay = await fetch(flow.callback);
        assert.equal(replay.status, 400);
        assert.match(await replay.text(), /state/);
    });

    test('a revoked token is the provider\'s 401, passed on', opts, async () => {
        const stored = await connection('boards', 'user-3');
        await admin(`revoke?token=${encodeURIComponent(stored.body.credentials.oauth_token)}`);
        await assert.rejects(
            nango.get({ endpoint: '/1/members/me', providerConfigKey: 'boards', connectionId: 'user-3' }),
            (error) => error.response?.status === 401);
        const logs = await api('GET', '/logs?integration=boards&connection_id=user-3&limit=5');
        assert.equal(logs.status, 200);
        assert.ok(!JSON.stringify(logs.body).includes(stored.body.credentials.oauth_token_secret));
    });
});
