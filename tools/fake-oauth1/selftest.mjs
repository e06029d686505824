// Self-test of tools/fake-oauth1 (a test tool, never part of the product):
//   node --test tools/fake-oauth1/selftest.mjs
// Pins signing.mjs to RFC 5849's and X's published examples, then runs server.mjs as a child
// process on port 0 and drives it with a small client-side signer written here from the RFC
// (deliberately not reusing signing.mjs, so that each side checks the other).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    baseStringUri, computeSignature, normalizeParameters, parseAuthorizationHeader,
    parseFormEncoded, percentEncode, signatureBaseString,
} from './signing.mjs';

const serverScript = join(dirname(fileURLToPath(import.meta.url)), 'server.mjs');
const CONSUMER = { key: 'test-consumer', secret: 'test consumer secret&1:x' };
const OTHER_CONSUMER = { key: 'other-consumer', secret: 'other-secret' };
const CALLBACK = 'http://127.0.0.1:9/callback?state=abc';

// =============================================================================================
// Pure functions against published examples

describe('signing.mjs', () => {
    // RFC 5849 §3.4.1.1 (and §3.4.1.3.2 for the normalized parameters).
    const rfcHeader = 'OAuth realm="Example",\r\n' +
        '    oauth_consumer_key="9djdj82h48djs9d2",\r\n' +
        '    oauth_token="kkk9d7dh3k39sjv7",\r\n' +
        '    oauth_signature_method="HMAC-SHA1",\r\n' +
        '    oauth_timestamp="137131201",\r\n' +
        '    oauth_nonce="7d8f3e4a",\r\n' +
        '    oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"';
    const rfcRequest = {
        method: 'POST',
        uri: baseStringUri('http', 'example.com', '/request'),
        query: 'b5=%3D%253D&a3=a&c%40=&a2=r%20b',
        body: 'c2&a3=2+q',
        contentType: 'application/x-www-form-urlencoded',
    };
    const rfcBaseString = 'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
        '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2' +
        '%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201' +
        '%26oauth_token%3Dkkk9d7dh3k39sjv7';

    test('RFC 5849 §3.4.1.1 base string, from header parameters', () => {
        const headerParams = [
            ['oauth_consumer_key', '9djdj82h48djs9d2'], ['oauth_token', 'kkk9d7dh3k39sjv7'],
            ['oauth_signature_method', 'HMAC-SHA1'], ['oauth_timestamp', '137131201'],
            ['oauth_nonce', '7d8f3e4a'], ['realm', 'Example'],
        ];
        assert.equal(signatureBaseString({ ...rfcRequest, headerParams }), rfcBaseString);
    });

    test('RFC 5849 §3.4.1.1 base string, from the folded Authorization header', () => {
        const headerParams = parseAuthorizationHeader(rfcHeader);
        assert.deepEqual(headerParams[0], ['realm', 'Example']);
        assert.deepEqual(headerParams.at(-1), ['oauth_signature', 'bYT5CMsGcbgUdFHObYMEfcx6bsw=']);
        assert.equal(signatureBaseString({ ...rfcRequest, headerParams }), rfcBaseString);
    });

    test('RFC 5849 §3.4.1.3.2 normalized parameters', () => {
        const pairs = [...parseFormEncoded(rfcRequest.query), ...parseFormEncoded(rfcRequest.body),
            ...parseAuthorizationHeader(rfcHeader).filter(([n]) => n !== 'realm' && n !== 'oauth_signature')];
        assert.equal(normalizeParameters(pairs),
            'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2' +
            '&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201' +
            '&oauth_token=kkk9d7dh3k39sjv7');
    });

    test('X\'s "creating a signature" example (HMAC-SHA1, https, default port dropped)', () => {
        const baseString = signatureBaseString({
            method: 'post',
            uri: baseStringUri('HTTPS', 'API.Twitter.com:443', '/1.1/statuses/update.json'),
            query: 'include_entities=true',
            body: 'status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21',
            contentType: 'application/x-www-form-urlencoded; charset=utf-8',
            headerParams: [
                ['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
                ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
                ['oauth_signature_method', 'HMAC-SHA1'], ['oauth_timestamp', '1318622958'],
                ['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
                ['oauth_version', '1.0'],
            ],
        });
        assert.match(baseString, /^POST&https%3A%2F%2Fapi\.twitter\.com%2F1\.1%2Fstatuses%2Fupdate\.json&/);
        assert.equal(computeSignature('HMAC-SHA1', baseString, 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
            'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE'), 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
    });

    test('a body is a parameter source only with a form Content-Type', () => {
        const common = { method: 'POST', uri: 'http://h/p', query: '', body: 'a=1', headerParams: [] };
        assert.equal(signatureBaseString({ ...common, contentType: 'application/json' }), 'POST&http%3A%2F%2Fh%2Fp&');
        assert.equal(signatureBaseString({ ...common, contentType: 'Application/X-WWW-Form-Urlencoded' }),
            'POST&http%3A%2F%2Fh%2Fp&a%3D1');
    });

    test('percent-encoding is RFC 3986 unreserved-only, uppercase, UTF-8', () => {
        assert.equal(percentEncode("Ladies + Gentlemen!*'()~-._"), 'Ladies%20%2B%20Gentlemen%21%2A%27%28%29~-._');
        assert.equal(percentEncode('é☃'), '%C3%A9%E2%98%83');
    });

    test('base string URI: lowercased scheme and host, default ports dropped, others kept', () => {
        assert.equal(baseStringUri('HTTP', 'Example.COM:80', '/r%20x'), 'http://example.com/r%20x');
        assert.equal(baseStringUri('http', '127.0.0.1:8080', '/a'), 'http://127.0.0.1:8080/a');
        assert.equal(baseStringUri('https', '[::1]:443', ''), 'https://[::1]/');
        assert.equal(baseStringUri('http', 'example.com:443', '/'), 'http://example.com:443/');
    });

    test('PLAINTEXT is the encoded key', () => {
        assert.equal(computeSignature('PLAINTEXT', 'ignored', 'cs&1', 'ts 2'), 'cs%261&ts%202');
        assert.equal(computeSignature('RSA-SHA1', 'x', 'a', 'b'), null);
    });

    test('malformed or foreign Authorization headers parse to null', () => {
        assert.equal(parseAuthorizationHeader(undefined), null);
        assert.equal(parseAuthorizationHeader('Bearer abc'), null);
        assert.equal(parseAuthorizationHeader('OAuth a="1" b="2"'), null);
        assert.equal(parseAuthorizationHeader('OAuth a=1'), null);
        assert.deepEqual(parseAuthorizationHeader('oauth a="%7E1", b=""'), [['a', '~1'], ['b', '']]);
    });
});

// =============================================================================================
// Client side: a signer of its own and HTTP helpers

/** RFC 3986 unreserved-only encoding via encodeURIComponent plus the five it leaves alone. */
function enc(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Signs a request the way a client would. `url` is absolute; `form` is a form body string
 * (signed as parameters); `oauth` adds, overrides or (with undefined) drops protocol parameters. Returns the
 * Authorization header, the base string and the nonce.
 */
function sign({ method, url, consumer = CONSUMER, token, tokenSecret = '', signatureMethod = 'HMAC-SHA1',
    form, oauth = {}, timestamp = Math.floor(Date.now() / 1000) }) {
    const protocol = {
        oauth_consumer_key: consumer.key,
        oauth_nonce: randomBytes(12).toString('hex'),
        oauth_signature_method: signatureMethod,
        oauth_timestamp: String(timestamp),
        oauth_version: '1.0',
        ...(token ? { oauth_token: token } : {}),
        ...oauth,
    };
    for (const name of Object.keys(protocol)) if (protocol[name] === undefined) delete protocol[name];
    const target = new URL(url);
    const params = [...target.searchParams, ...(form ? new URLSearchParams(form) : []), ...Object.entries(protocol)];
    const normalized = params.map(([k, v]) => [enc(k), enc(v)])
        .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`).join('&');
    const baseString = [method.toUpperCase(), enc(target.origin + target.pathname), enc(normalized)].join('&');
    const key = `${enc(consumer.secret)}&${enc(tokenSecret)}`;
    const digest = { 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256' }[signatureMethod];
    const signature = digest ? createHmac(digest, key).update(baseString).digest('base64') : key;
    const header = 'OAuth realm="selftest", ' + Object.entries({ ...protocol, oauth_signature: signature })
        .map(([k, v]) => `${enc(k)}="${enc(v)}"`).join(', ');
    return { header, baseString, nonce: protocol.oauth_nonce };
}

async function startServer(args) {
    const child = spawn(process.execPath, [serverScript, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise((resolve, reject) => {
        let buffered = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => {
            buffered += chunk;
            if (buffered.includes('\n')) resolve(buffered.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
        setTimeout(() => reject(new Error('server did not start')), 10_000).unref();
    });
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(firstLine);
    assert.ok(match, firstLine);
    assert.match(firstLine, /^fake-oauth1 listening on http:\/\/127\.0\.0\.1:\d+$/);
    return { child, url: match[1] };
}

function exitOf(child) {
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A form-encoded text as an object (last value wins). */
function formOf(text) {
    return Object.fromEntries(new URLSearchParams(text));
}

describe('server.mjs', () => {
    let server;
    let base;

    before(async () => {
        server = await startServer(['--port', '0',
            '--consumer', `${CONSUMER.key}:${CONSUMER.secret}`,
            '--consumer', `${OTHER_CONSUMER.key}:${OTHER_CONSUMER.secret}`]);
        base = server.url;
    });

    after(async () => {
        const exited = exitOf(server.child);
        server.child.kill('SIGTERM');
        assert.deepEqual(await exited, { code: 0, signal: null });
    });

    /** Sends a request with a given Authorization header; answers status, headers, text. */
    async function send(method, path, { authorization, form, contentType } = {}) {
        const headers = {};
        if (authorization) headers.Authorization = authorization;
        if (form !== undefined) headers['Content-Type'] = contentType ?? 'application/x-www-form-urlencoded';
        const response = await fetch(base + path, { method, headers, body: form, redirect: 'manual' });
        return { status: response.status, headers: response.headers, text: await response.text() };
    }

    /** Signs and sends; `options` go to sign() (url and method filled in). */
    async function signed(method, path, options = {}) {
        const signature = sign({ method, url: base + path, ...options });
        const response = await send(method, path, { authorization: signature.header, form: options.form });
        return { ...response, signature };
    }

    async function admin(method, path) {
        const response = await send(method, `/__admin/${path}`);
        assert.equal(response.status, 200, response.text);
        return JSON.parse(response.text);
    }

    /** Request token, consent, access token; answers every intermediate value. */
    async function connect({ signatureMethod = 'HMAC-SHA1', callback = CALLBACK, consent = '' } = {}) {
        const temp = await signed('POST', '/oauth/request_token?x_auth_access_type=write',
            { signatureMethod, oauth: { oauth_callback: callback } });
        assert.equal(temp.status, 200, temp.text);
        assert.equal(temp.headers.get('content-type'), 'application/x-www-form-urlencoded');
        const tempFields = formOf(temp.text);
        assert.equal(tempFields.oauth_callback_confirmed, 'true');
        const authorize = await send('GET', `/oauth/authorize?oauth_token=${enc(tempFields.oauth_token)}${consent}`);
        assert.equal(authorize.status, 302, authorize.text);
        const location = new URL(authorize.headers.get('location'));
        if (location.searchParams.has('denied')) return { tempFields, location };
        const access = await signed('POST', '/oauth/access_token', {
            signatureMethod, token: tempFields.oauth_token, tokenSecret: tempFields.oauth_token_secret,
            oauth: { oauth_verifier: location.searchParams.get('oauth_verifier') },
        });
        assert.equal(access.status, 200, access.text);
        const accessFields = formOf(access.text);
        return {
            tempFields, location, accessFields,
            token: accessFields.oauth_token, tokenSecret: accessFields.oauth_token_secret,
        };
    }

    function assertProblem(response, status, problem) {
        assert.equal(response.status, status, response.text);
        assert.equal(formOf(response.text).oauth_problem, problem, response.text);
    }

    test('the three-legged flow with HMAC-SHA1', async () => {
        await admin('POST', 'reset');
        const flow = await connect({ consent: '&scope=read%2Cwrite&name=Ferry%20test&expiration=never' });
        // The callback keeps its own query and gains token and verifier.
        assert.equal(flow.location.origin + flow.location.pathname, 'http://127.0.0.1:9/callback');
        assert.equal(flow.location.searchParams.get('state'), 'abc');
        assert.equal(flow.location.searchParams.get('oauth_token'), flow.tempFields.oauth_token);
        assert.ok(flow.location.searchParams.get('oauth_verifier'));
        assert.equal(flow.accessFields.user_id, '4242');
        assert.equal(flow.accessFields.screen_name, 'fake_user');

        const me = await signed('GET', '/1/members/me', { token: flow.token, tokenSecret: flow.tokenSecret });
        assert.equal(me.status, 200, me.text);
        assert.deepEqual(JSON.parse(me.text), { id: '4242', username: 'fake_user', token: flow.token });

        const log = await admin('GET', 'requests');
        assert.deepEqual(log.map((r) => r.path),
            ['/oauth/request_token', '/oauth/authorize', '/oauth/access_token', '/1/members/me']);
        assert.equal(log[0].query.x_auth_access_type, 'write');
        assert.deepEqual(log[1].authorize_params, { scope: 'read,write', name: 'Ferry test', expiration: 'never' });
        for (const entry of [log[0], log[2], log[3]]) {
            assert.equal(entry.verified, true, JSON.stringify(entry));
            assert.equal(entry.signature_method, 'HMAC-SHA1');
            assert.ok(entry.nonce);
        }

        // The temporary token is single-use, for consent and for the exchange.
        const again = await send('GET', `/oauth/authorize?oauth_token=${enc(flow.tempFields.oauth_token)}`);
        assert.equal(again.status, 400);
        const reused = await signed('POST', '/oauth/access_token', {
            token: flow.tempFields.oauth_token, tokenSecret: flow.tempFields.oauth_token_secret,
            oauth: { oauth_verifier: flow.location.searchParams.get('oauth_verifier') },
        });
        assertProblem(reused, 401, 'token_rejected');
    });

    test('request_token needs oauth_callback; authorize needs a known token', async () => {
        assertProblem(await signed('POST', '/oauth/request_token'), 400, 'parameter_absent');
        assert.equal((await send('GET', '/oauth/authorize?oauth_token=nope')).status, 400);
        assert.equal((await send('GET', '/oauth/authorize')).status, 400);
    });

    test('access_token refuses a wrong verifier and an unauthorized token', async () => {
        const temp = formOf((await signed('POST', '/oauth/request_token', { oauth: { oauth_callback: 'oob' } })).text);
        const exchange = (verifier) => signed('POST', '/oauth/access_token', {
            token: temp.oauth_token, tokenSecret: temp.oauth_token_secret, oauth: { oauth_verifier: verifier },
        });
        assertProblem(await exchange('anything'), 401, 'verifier_invalid');   // not authorized yet
        const consent = await send('GET', `/oauth/authorize?oauth_token=${enc(temp.oauth_token)}`);
        assert.equal(consent.status, 200);   // "oob": the verifier is shown, not redirected
        const verifier = formOf(consent.text.trim()).oauth_verifier;
        assertProblem(await exchange('wrong'), 401, 'verifier_invalid');
        assert.equal((await exchange(verifier)).status, 200);
    });

    test('HMAC-SHA256 and PLAINTEXT on /1/members/me', async () => {
        for (const signatureMethod of ['HMAC-SHA256', 'PLAINTEXT']) {
            const flow = await connect({ signatureMethod });
            const me = await signed('GET', '/1/members/me',
                { signatureMethod, token: flow.token, tokenSecret: flow.tokenSecret });
            assert.equal(me.status, 200, `${signatureMethod}: ${me.text}`);
            assert.equal(JSON.parse(me.text).token, flow.token);
            const wrong = await signed('GET', '/1/members/me',
                { signatureMethod, token: flow.token, tokenSecret: 'not-the-secret' });
            assertProblem(wrong, 401, 'signature_invalid');
        }
    });

    test('/1/echo reports decoded query and form parameters', async () => {
        const flow = await connect();
        const status = 'Hello Ladies + Gentlemen, a signed OAuth request!';
        const echo = await signed('POST', '/1/echo?include_entities=true&note=a%20b%26c&r=1&r=2', {
            token: flow.token, tokenSecret: flow.tokenSecret, form: `status=${enc(status)}&empty=`,
        });
        assert.equal(echo.status, 200, echo.text);
        assert.deepEqual(JSON.parse(echo.text), {
            method: 'POST',
            query: { include_entities: 'true', note: 'a b&c', r: ['1', '2'] },
            form: { status, empty: '' },
            signature_method: 'HMAC-SHA1',
            content_type: 'application/x-www-form-urlencoded',
            body: `status=${enc(status)}&empty=`,
        });
        // A JSON body is not a parameter source: signed without it, echoed with form {}.
        const signature = sign({ method: 'PUT', url: `${base}/1/echo`, token: flow.token, tokenSecret: flow.tokenSecret });
        const json = await send('PUT', '/1/echo', { authorization: signature.header, form: '{"a":1}', contentType: 'application/json' });
        assert.equal(json.status, 200, json.text);
        assert.deepEqual(JSON.parse(json.text).form, {});
    });

    test('a replayed nonce is refused as nonce_used', async () => {
        const flow = await connect();
        const { header } = sign({ method: 'GET', url: `${base}/1/members/me`, token: flow.token, tokenSecret: flow.tokenSecret });
        assert.equal((await send('GET', '/1/members/me', { authorization: header })).status, 200);
        assertProblem(await send('GET', '/1/members/me', { authorization: header }), 401, 'nonce_used');
        // Nonces are per consumer: another consumer may use the same one.
        const other = await signed('POST', '/oauth/request_token', {
            consumer: OTHER_CONSUMER, oauth: { oauth_callback: 'oob', oauth_nonce: 'shared-nonce' },
        });
        const same = await signed('POST', '/oauth/request_token', { oauth: { oauth_callback: 'oob', oauth_nonce: 'shared-nonce' } });
        assert.equal(other.status, 200, other.text);
        assert.equal(same.status, 200, same.text);
    });

    test('a wrong signature is refused with the server\'s base string', async () => {
        const flow = await connect();
        const response = await signed('GET', '/1/members/me?x=1',
            { token: flow.token, tokenSecret: flow.tokenSecret, consumer: { ...CONSUMER, secret: 'wrong' } });
        assertProblem(response, 401, 'signature_invalid');
        assert.match(response.headers.get('www-authenticate'), /^OAuth /);
        // The debug base string equals the client's: only the key was wrong.
        assert.equal(formOf(response.text).debug_base_string, response.signature.baseString);
        const log = await admin('GET', 'requests');
        assert.equal(log.at(-1).verified, false);
        assert.equal(log.at(-1).oauth_problem, 'signature_invalid');
    });

    test('protocol checks: header, consumer, method, timestamp, version, token', async () => {
        const flow = await connect();
        const tokenOptions = { token: flow.token, tokenSecret: flow.tokenSecret };
        assertProblem(await send('GET', '/1/members/me'), 401, 'parameter_absent');
        assertProblem(await signed('GET', '/1/members/me',
            { ...tokenOptions, consumer: { key: 'who', secret: 'x' } }), 401, 'consumer_key_unknown');
        assertProblem(await signed('GET', '/1/members/me',
            { ...tokenOptions, signatureMethod: 'RSA-SHA1' }), 401, 'signature_method_rejected');
        assertProblem(await signed('GET', '/1/members/me',
            { ...tokenOptions, timestamp: Math.floor(Date.now() / 1000) - 301 }), 401, 'timestamp_refused');
        assertProblem(await signed('GET', '/1/members/me',
            { ...tokenOptions, oauth: { oauth_version: '2.0' } }), 401, 'version_rejected');
        assertProblem(await signed('GET', '/1/members/me',
            { token: 'unknown', tokenSecret: 'x' }), 401, 'token_rejected');
        // An access token is not a temporary token, and a temporary token is no access token.
        assertProblem(await signed('GET', '/1/members/me',
            { token: flow.tempFields.oauth_token, tokenSecret: flow.tempFields.oauth_token_secret }), 401, 'token_rejected');
        // Another consumer cannot use this consumer's token.
        assertProblem(await signed('GET', '/1/members/me',
            { ...tokenOptions, consumer: OTHER_CONSUMER }), 401, 'token_rejected');
        // Without oauth_version it is fine (the parameter is optional).
        const unversioned = await signed('GET', '/1/members/me', { ...tokenOptions, oauth: { oauth_version: undefined } });
        assert.equal(unversioned.status, 200, unversioned.text);
        assert.doesNotMatch(unversioned.signature.header, /oauth_version/);
    });

    test('fail-next: the retry must be re-signed with a new nonce', async () => {
        const flow = await connect();
        const tokenOptions = { token: flow.token, tokenSecret: flow.tokenSecret };
        assert.deepEqual(await admin('POST', 'fail-next?status=503&count=1'), { status: 503, count: 1 });
        await admin('POST', 'reset');
        const first = sign({ method: 'GET', url: `${base}/1/members/me`, ...tokenOptions });
        const failed = await send('GET', '/1/members/me', { authorization: first.header });
        assert.equal(failed.status, 503);
        assert.equal(JSON.parse(failed.text).error, 'injected_failure');
        assertProblem(await send('GET', '/1/members/me', { authorization: first.header }), 401, 'nonce_used');
        assert.equal((await signed('GET', '/1/members/me', tokenOptions)).status, 200);

        const log = await admin('GET', 'requests');
        assert.deepEqual(log.map((r) => [r.status, r.verified, r.oauth_problem]),
            [[503, true, null], [401, false, 'nonce_used'], [200, true, null]]);

        // A request that fails verification does not use up an injected failure.
        await admin('POST', 'fail-next?status=429&count=2');
        assertProblem(await signed('GET', '/1/echo', { token: 'unknown', tokenSecret: '' }), 401, 'token_rejected');
        assert.equal((await signed('GET', '/1/echo', tokenOptions)).status, 429);
        assert.equal((await signed('GET', '/1/echo', tokenOptions)).status, 429);
        assert.equal((await signed('GET', '/1/echo', tokenOptions)).status, 200);
    });

    test('deny-next: the next consent is refused with denied=T', async () => {
        await admin('POST', 'deny-next');
        const flow = await connect();
        assert.equal(flow.location.searchParams.get('denied'), flow.tempFields.oauth_token);
        assert.equal(flow.location.searchParams.get('state'), 'abc');
        assert.equal(flow.location.searchParams.get('oauth_verifier'), null);
        // The denied token cannot be exchanged, and only one consent was denied.
        const exchange = await signed('POST', '/oauth/access_token', {
            token: flow.tempFields.oauth_token, tokenSecret: flow.tempFields.oauth_token_secret,
            oauth: { oauth_verifier: 'x' },
        });
        assertProblem(exchange, 401, 'token_rejected');
        assert.ok((await connect()).token);
    });

    test('revoke: a revoked access token is rejected', async () => {
        const flow = await connect();
        const tokenOptions = { token: flow.token, tokenSecret: flow.tokenSecret };
        assert.equal((await signed('GET', '/1/members/me', tokenOptions)).status, 200);
        assert.deepEqual(await admin('POST', `revoke?token=${enc(flow.token)}`), { revoked: flow.token });
        assertProblem(await signed('GET', '/1/members/me', tokenOptions), 401, 'token_rejected');
        assert.equal((await send('POST', '/__admin/revoke?token=unknown')).status, 404);
    });

    test('unknown paths answer 404 JSON; admin is not logged', async () => {
        const flow = await connect();
        await admin('POST', 'reset');
        const unknownApi = await signed('GET', '/1/nothing', { token: flow.token, tokenSecret: flow.tokenSecret });
        assert.equal(unknownApi.status, 404);
        assert.equal(JSON.parse(unknownApi.text).error, 'not_found');
        assert.equal((await send('GET', '/elsewhere')).status, 404);
        assert.equal((await send('GET', '/__admin/nothing')).status, 404);
        assert.equal((await send('GET', '/__admin/reset')).status, 405);
        assert.deepEqual((await admin('GET', 'requests')).map((r) => [r.path, r.verified]),
            [['/1/nothing', true], ['/elsewhere', false]]);
    });
});

describe('server.mjs process', () => {
    test('defaults to the fake consumer and stops on SIGTERM with a keep-alive connection open', async () => {
        const { child, url } = await startServer([]);
        const consumer = { key: 'fake-consumer-key', secret: 'fake-consumer-secret' };
        const { header } = sign({ method: 'POST', url: `${url}/oauth/request_token`, consumer, oauth: { oauth_callback: 'oob' } });
        const agentStatus = await new Promise((resolve, reject) => {
            const req = httpRequest(`${url}/oauth/request_token`,
                { method: 'POST', headers: { Authorization: header, Connection: 'keep-alive' } },
                (res) => { res.resume(); resolve(res.statusCode); });
            req.on('error', reject);
            req.end();
        });
        assert.equal(agentStatus, 200);
        const exited = exitOf(child);
        child.kill('SIGTERM');
        assert.deepEqual(await exited, { code: 0, signal: null });
    });

    test('refuses bad arguments', async () => {
        const child = spawn(process.execPath, [serverScript, '--consumer', 'no-colon'], { stdio: 'ignore' });
        assert.equal((await exitOf(child)).code, 2);
    });
});
