#!/usr/bin/env node
// fake-oauth1: a TEST TOOL, never part of the product. A loopback OAuth 1.0a provider
// (RFC 5849) that Ferry's tests run to exercise the three-legged connect flow and signed API
// calls end to end. It has no security of its own: tokens live in memory, /__admin/ needs no
// credentials, and a refused signature is answered with the base string the fake computed.
//
//   node tools/fake-oauth1/server.mjs [--port N] [--consumer KEY:SECRET]...
//
// The first stdout line is always `fake-oauth1 listening on http://127.0.0.1:<port>`.
// Only node: built-ins; see README.md for the endpoints and the admin API.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
    SIGNATURE_METHODS, baseStringUri, computeSignature, isFormContentType,
    parseAuthorizationHeader, parseFormEncoded, percentEncode, signatureBaseString,
    signaturesMatch,
} from './signing.mjs';

const DEFAULT_CONSUMER = 'fake-consumer-key:fake-consumer-secret';
const TIMESTAMP_WINDOW_SECONDS = 300;
/** A nonce must be remembered as long as a request carrying it could still pass the
 *  timestamp check: its timestamp may lie up to one window ahead of now, so two windows. */
const NONCE_MEMORY_MS = 2 * TIMESTAMP_WINDOW_SECONDS * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const FAKE_USER = Object.freeze({ id: '4242', username: 'fake_user' });

// =============================================================================================
// Command line

const USAGE = 'usage: node server.mjs [--port N] [--consumer KEY:SECRET]...';

/** Parses argv into { port, consumers: Map key -> secret }. `--consumer` may repeat; the
 *  default consumer applies only when none is given. Accepts `--opt value` and `--opt=value`.
 *  Throws an Error with a message for the user on bad input. */
function parseCommandLine(argv) {
    let port = 0;
    const consumerSpecs = [];
    const args = [...argv];
    while (args.length) {
        const arg = args.shift();
        const eq = arg.indexOf('=');
        const flag = eq < 0 ? arg : arg.slice(0, eq);
        const takeValue = () => {
            const value = eq < 0 ? args.shift() : arg.slice(eq + 1);
            return value ?? fail(`${flag} needs a value`);
        };
        if (flag === '--port') port = parsePort(takeValue());
        else if (flag === '--consumer') consumerSpecs.push(takeValue());
        else if (flag === '--help' || flag === '-h') fail(USAGE);
        else fail(`unknown argument ${arg}`);
    }
    const consumers = new Map();
    for (const spec of consumerSpecs.length ? consumerSpecs : [DEFAULT_CONSUMER]) {
        const colon = spec.indexOf(':');   // the key ends at the first ':'; the secret may hold more
        if (colon <= 0) fail(`--consumer wants KEY:SECRET, got ${spec}`);
        consumers.set(spec.slice(0, colon), spec.slice(colon + 1));
    }
    return { port, consumers };
}

function parsePort(text) {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) fail(`bad port ${text}`);
    return port;
}

function fail(message) {
    throw new Error(message);
}

// =============================================================================================
// State (all in memory, one process = one provider)

/** Everything the fake remembers. Temporary tokens move issued -> authorized -> exchanged (or
 *  issued -> denied); access tokens can be revoked. */
function createState(consumers) {
    return {
        consumers,                  // consumer key -> consumer secret
        temporaryTokens: new Map(), // token -> { consumerKey, secret, callback, requestParams,
                                    //            status, verifier, authorizeParams }
        accessTokens: new Map(),    // token -> { consumerKey, secret, revoked }
        nonces: new Map(),          // consumer key -> Map nonce -> forget-after (ms)
        denyNext: false,            // the next authorize denies
        failNext: { status: 503, remaining: 0 }, // injected failures for /1/*
        requests: [],               // the request log, newest last
    };
}

function randomToken(prefix) {
    return prefix + randomBytes(18).toString('base64url');
}

/** True when `nonce` was already used by `consumerKey` inside the memory window; otherwise
 *  records it. Expired entries are dropped on the way (the maps stay small in tests). */
function nonceReplayed(state, consumerKey, nonce, nowMs) {
    let seen = state.nonces.get(consumerKey);
    if (!seen) state.nonces.set(consumerKey, (seen = new Map()));
    for (const [old, forgetAfter] of seen) if (forgetAfter < nowMs) seen.delete(old);
    if (seen.has(nonce)) return true;
    seen.set(nonce, nowMs + NONCE_MEMORY_MS);
    return false;
}

// =============================================================================================
// HTTP plumbing

/** Reads the whole body as UTF-8 text; rejects past MAX_BODY_BYTES. */
function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (chunk) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) reject(Object.assign(new Error('body too large'), { status: 413 }));
            else chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}

/** The parts of a request every handler needs, parsed once. `log` is this request's entry
 *  in the request log (null for /__admin/), filled in as handling goes. */
function requestContext(req, body, port) {
    const [path, rawQuery = ''] = splitOnce(req.url, '?');
    const queryPairs = parseFormEncoded(rawQuery);
    const contentType = req.headers['content-type'] ?? null;
    return {
        req, body, path, rawQuery, queryPairs, contentType,
        method: req.method.toUpperCase(),
        host: req.headers.host ?? `127.0.0.1:${port}`,
        formPairs: isFormContentType(contentType) ? parseFormEncoded(body) : [],
        log: null,
    };
}

function splitOnce(text, separator) {
    const at = text.indexOf(separator);
    return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** [name, value] pairs as an object: one value stays a string, a repeated name collects an
 *  array (in order). */
function pairsToObject(pairs) {
    const out = {};
    for (const [name, value] of pairs) {
        if (!Object.hasOwn(out, name)) out[name] = value;
        else if (Array.isArray(out[name])) out[name].push(value);
        else out[name] = [out[name], value];
    }
    return out;
}

function firstValue(pairs, name) {
    return pairs.find(([n]) => n === name)?.[1];
}

function formEncode(fields) {
    return Object.entries(fields).map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&');
}

/** Writes a response and records its status in the request log. */
function send(ctx, res, status, contentType, body, headers = {}) {
    if (ctx?.log) ctx.log.status = status;
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers });
    res.end(body);
}

function sendJson(ctx, res, status, value) {
    send(ctx, res, status, 'application/json', JSON.stringify(value));
}

function sendForm(ctx, res, status, fields, headers) {
    send(ctx, res, status, 'application/x-www-form-urlencoded', formEncode(fields), headers);
}

function sendText(ctx, res, status, text) {
    send(ctx, res, status, 'text/plain; charset=utf-8', text + '\n');
}

function redirect(ctx, res, location) {
    if (ctx.log) ctx.log.status = 302;
    res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
    res.end();
}

// =============================================================================================
// Signature verification (RFC 5849 §3.2)

/** A failed check: the HTTP status and the oauth_problem to report. */
function problem(name, status = 401, extra = {}) {
    return { ok: false, status, problem: name, ...extra };
}

/** Protocol parameters from the Authorization header as an object, or a problem: absent or
 *  malformed header -> parameter_absent, a parameter given twice -> parameter_rejected. */
function protocolParameters(ctx) {
    const pairs = parseAuthorizationHeader(ctx.req.headers.authorization);
    if (!pairs) return problem('parameter_absent');
    const params = {};
    for (const [name, value] of pairs) {
        if (Object.hasOwn(params, name)) return problem('parameter_rejected');
        params[name] = value;
    }
    return { ok: true, params, pairs };
}

/** The protocol-level checks that need no secret: required parameters, version, consumer,
 *  signature method, timestamp window. PLAINTEXT may omit timestamp and nonce (§3.1). */
function checkProtocol(state, params, nowMs) {
    const method = params.oauth_signature_method;
    const required = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature'];
    if (method !== 'PLAINTEXT') required.push('oauth_timestamp', 'oauth_nonce');
    if (required.some((name) => params[name] === undefined)) return problem('parameter_absent');
    if (params.oauth_version !== undefined && params.oauth_version !== '1.0') {
        return problem('version_rejected');
    }
    if (!state.consumers.has(params.oauth_consumer_key)) return problem('consumer_key_unknown');
    if (!SIGNATURE_METHODS.includes(method)) return problem('signature_method_rejected');
    if (params.oauth_timestamp !== undefined && !timestampFresh(params.oauth_timestamp, nowMs)) {
        return problem('timestamp_refused');
    }
    return { ok: true };
}

function timestampFresh(text, nowMs) {
    if (!/^\d{1,12}$/.test(text)) return false;
    return Math.abs(Number(text) - nowMs / 1000) <= TIMESTAMP_WINDOW_SECONDS;
}

/** The base string of this request as the fake sees it (scheme http, host from Host). */
function requestBaseString(ctx, headerPairs) {
    return signatureBaseString({
        method: ctx.method,
        uri: baseStringUri('http', ctx.host, ctx.path),
        query: ctx.rawQuery,
        body: ctx.body,
        contentType: ctx.contentType,
        headerParams: headerPairs,
    });
}

/**
 * Verifies the request's OAuth signature. `resolveToken(params)` finds the token secret the
 * endpoint signs with: it returns { ok: true, secret, record } or a problem (the request token
 * endpoint resolves to the empty secret). Order: header, protocol checks, token, signature,
 * then the nonce, so that only a correctly signed request can use up a nonce.
 * Returns { ok: true, params, record } or a problem; fills the request log either way.
 */
function verifyRequest(state, ctx, resolveToken) {
    const nowMs = Date.now();
    const header = protocolParameters(ctx);
    if (!header.ok) return header;
    const { params } = header;
    Object.assign(ctx.log, {
        consumer_key: params.oauth_consumer_key ?? null,
        token: params.oauth_token ?? null,
        signature_method: params.oauth_signature_method ?? null,
        nonce: params.oauth_nonce ?? null,
    });
    const protocol = checkProtocol(state, params, nowMs);
    if (!protocol.ok) return protocol;
    const token = resolveToken(params);
    if (!token.ok) return token;

    const baseString = requestBaseString(ctx, header.pairs);
    ctx.log.base_string = baseString;
    const consumerSecret = state.consumers.get(params.oauth_consumer_key);
    const expected = computeSignature(params.oauth_signature_method, baseString, consumerSecret, token.secret);
    if (!signaturesMatch(expected, params.oauth_signature)) {
        return problem('signature_invalid', 401, { debugBaseString: baseString });
    }
    if (params.oauth_nonce !== undefined &&
        nonceReplayed(state, params.oauth_consumer_key, params.oauth_nonce, nowMs)) {
        return problem('nonce_used');
    }
    ctx.log.verified = true;
    return { ok: true, params, record: token.record };
}

/** Answers a failed check: form-encoded oauth_problem (plus the base string for a bad
 *  signature), and records the problem in the log. */
function sendProblem(ctx, res, failure) {
    if (ctx.log) ctx.log.oauth_problem = failure.problem;
    const fields = { oauth_problem: failure.problem };
    if (failure.debugBaseString !== undefined) fields.debug_base_string = failure.debugBaseString;
    const headers = failure.status === 401 ? { 'WWW-Authenticate': 'OAuth realm="fake-oauth1"' } : {};
    sendForm(ctx, res, failure.status, fields, headers);
}

// Token resolvers for verifyRequest, one per kind of endpoint.

function noToken() {
    return { ok: true, secret: '', record: null };
}

/** A temporary token of this consumer that is still usable (issued or authorized). */
function temporaryTokenResolver(state) {
    return (params) => {
        if (params.oauth_token === undefined) return problem('parameter_absent');
        const record = state.temporaryTokens.get(params.oauth_token);
        if (!record || record.consumerKey !== params.oauth_consumer_key ||
            record.status === 'denied' || record.status === 'exchanged') {
            return problem('token_rejected');
        }
        return { ok: true, secret: record.secret, record };
    };
}

/** An access token of this consumer that was not revoked. */
function accessTokenResolver(state) {
    return (params) => {
        if (params.oauth_token === undefined) return problem('parameter_absent');
        const record = state.accessTokens.get(params.oauth_token);
        if (!record || record.revoked || record.consumerKey !== params.oauth_consumer_key) {
            return problem('token_rejected');
        }
        return { ok: true, secret: record.secret, record };
    };
}

// =============================================================================================
// OAuth endpoints (RFC 5849 §2)

/** §2.1: verified with the empty token secret; needs oauth_callback ("oob" or a URL). The
 *  request's own query and form parameters (x_auth_access_type, ...) are kept on the token. */
function handleRequestToken(state, ctx, res) {
    const verified = verifyRequest(state, ctx, noToken);
    if (!verified.ok) return sendProblem(ctx, res, verified);
    const callback = verified.params.oauth_callback;
    if (!callback) return sendProblem(ctx, res, problem('parameter_absent', 400));
    const token = randomToken('rt-');
    const secret = randomToken('rts-');
    state.temporaryTokens.set(token, {
        consumerKey: verified.params.oauth_consumer_key, secret, callback,
        requestParams: pairsToObject([...ctx.queryPairs, ...ctx.formPairs]),
        status: 'issued', verifier: null, authorizeParams: null,
    });
    sendForm(ctx, res, 200, { oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' });
}

/** §2.2: the user's consent, approved at once unless the admin asked for a denial. A token
 *  can be authorized (or denied) once. */
function handleAuthorize(state, ctx, res) {
    const token = firstValue(ctx.queryPairs, 'oauth_token');
    const authorizeParams = pairsToObject(ctx.queryPairs.filter(([name]) => name !== 'oauth_token'));
    ctx.log.token = token ?? null;
    ctx.log.authorize_params = authorizeParams;
    const record = token === undefined ? undefined : state.temporaryTokens.get(token);
    if (!record || record.status !== 'issued') {
        return sendText(ctx, res, 400, 'fake-oauth1: unknown or already used request token');
    }
    record.authorizeParams = authorizeParams;
    if (state.denyNext) {
        state.denyNext = false;
        record.status = 'denied';
        return finishConsent(ctx, res, record.callback, { denied: token });
    }
    record.status = 'authorized';
    record.verifier = randomBytes(12).toString('hex');
    finishConsent(ctx, res, record.callback, { oauth_token: token, oauth_verifier: record.verifier });
}

/** Sends the user back to the callback with `fields`; for "oob" shows them instead (§2.1). */
function finishConsent(ctx, res, callback, fields) {
    if (callback === 'oob') return sendText(ctx, res, 200, formEncode(fields));
    redirect(ctx, res, appendQuery(callback, formEncode(fields)));
}

/** Appends an encoded query to a URL, keeping its own query and any fragment. */
function appendQuery(url, query) {
    const [base, fragment] = splitOnce(url, '#');
    const joiner = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
    return base + joiner + query + (fragment === undefined ? '' : '#' + fragment);
}

/** §2.3: verified with the temporary token's secret; the token must have been authorized and
 *  the verifier must match. Single use: the temporary token dies with the exchange. */
function handleAccessToken(state, ctx, res) {
    const verified = verifyRequest(state, ctx, temporaryTokenResolver(state));
    if (!verified.ok) return sendProblem(ctx, res, verified);
    const record = verified.record;
    const verifier = verified.params.oauth_verifier;
    if (record.status !== 'authorized' || verifier === undefined ||
        !signaturesMatch(record.verifier, verifier)) {
        return sendProblem(ctx, res, problem('verifier_invalid'));
    }
    record.status = 'exchanged';
    const token = randomToken('at-');
    const secret = randomToken('ats-');
    state.accessTokens.set(token, { consumerKey: record.consumerKey, secret, revoked: false });
    sendForm(ctx, res, 200, {
        oauth_token: token, oauth_token_secret: secret,
        user_id: FAKE_USER.id, screen_name: FAKE_USER.username,
    });
}

// =============================================================================================
// API (/1/*)

/** Every /1/* request: verified with an access token, then possibly an injected failure
 *  (which, having passed verification, has used up its nonce), then the resource. */
function handleApi(state, ctx, res) {
    const verified = verifyRequest(state, ctx, accessTokenResolver(state));
    if (!verified.ok) return sendProblem(ctx, res, verified);
    if (state.failNext.remaining > 0) {
        state.failNext.remaining -= 1;
        ctx.log.injected_failure = true;
        const status = state.failNext.status;
        return sendJson(ctx, res, status, { error: 'injected_failure', status, message: 'fake-oauth1 fail-next' });
    }
    if (ctx.path === '/1/members/me') return membersMe(ctx, res, verified.params);
    if (ctx.path === '/1/echo') return echo(ctx, res, verified.params);
    sendJson(ctx, res, 404, { error: 'not_found', path: ctx.path });
}

function membersMe(ctx, res, params) {
    if (ctx.method !== 'GET') return sendJson(ctx, res, 405, { error: 'method_not_allowed' });
    sendJson(ctx, res, 200, { ...FAKE_USER, token: params.oauth_token });
}

/** Echoes what the fake received, decoded, so tests can see what was signed and sent. */
function echo(ctx, res, params) {
    sendJson(ctx, res, 200, {
        method: ctx.method,
        query: pairsToObject(ctx.queryPairs),
        form: pairsToObject(ctx.formPairs),
        signature_method: params.oauth_signature_method,
        content_type: ctx.contentType,
        body: ctx.body,
    });
}

// =============================================================================================
// Admin (/__admin/*, no authentication; not recorded in the request log)

const ADMIN_ROUTES = {
    'POST /__admin/deny-next': adminDenyNext,
    'POST /__admin/fail-next': adminFailNext,
    'POST /__admin/revoke': adminRevoke,
    'GET /__admin/requests': adminRequests,
    'POST /__admin/reset': adminReset,
};

function handleAdmin(state, ctx, res) {
    const handler = ADMIN_ROUTES[`${ctx.method} ${ctx.path}`];
    if (handler) return handler(state, ctx, res);
    const known = Object.keys(ADMIN_ROUTES).some((route) => route.endsWith(` ${ctx.path}`));
    sendJson(ctx, res, known ? 405 : 404, { error: known ? 'method_not_allowed' : 'not_found' });
}

function adminDenyNext(state, ctx, res) {
    state.denyNext = true;
    sendJson(ctx, res, 200, { deny_next: true });
}

/** ?status=503&count=1 (both optional): the next `count` verified /1/* requests answer
 *  `status`. Replaces any pending injection. */
function adminFailNext(state, ctx, res) {
    const query = pairsToObject(ctx.queryPairs);
    const status = Number(query.status ?? 503);
    const count = Number(query.count ?? 1);
    if (!Number.isInteger(status) || status < 100 || status > 599 || !Number.isInteger(count) || count < 0) {
        return sendJson(ctx, res, 400, { error: 'status must be 100..599 and count an integer >= 0' });
    }
    state.failNext = { status, remaining: count };
    sendJson(ctx, res, 200, { status, count });
}

/** ?token=ACCESS_TOKEN: that access token is refused (token_rejected) from now on. */
function adminRevoke(state, ctx, res) {
    const token = firstValue(ctx.queryPairs, 'token');
    const record = token === undefined ? undefined : state.accessTokens.get(token);
    if (!record) return sendJson(ctx, res, 404, { error: 'unknown access token' });
    record.revoked = true;
    sendJson(ctx, res, 200, { revoked: token });
}

function adminRequests(state, ctx, res) {
    sendJson(ctx, res, 200, state.requests);
}

function adminReset(state, ctx, res) {
    const cleared = state.requests.length;
    state.requests = [];
    sendJson(ctx, res, 200, { cleared });
}

// =============================================================================================
// Routing and startup

const OAUTH_ROUTES = {
    '/oauth/request_token': { methods: ['GET', 'POST'], handler: handleRequestToken },
    '/oauth/authorize': { methods: ['GET'], handler: handleAuthorize },
    '/oauth/access_token': { methods: ['GET', 'POST'], handler: handleAccessToken },
};

/** Starts a request-log entry; verification and handlers fill in the rest. */
function logRequest(state, ctx) {
    ctx.log = {
        time: new Date().toISOString(),
        method: ctx.method,
        path: ctx.path,
        query: pairsToObject(ctx.queryPairs),
        status: null,
        verified: false,
        oauth_problem: null,
        signature_method: null,
        nonce: null,
        consumer_key: null,
        token: null,
    };
    state.requests.push(ctx.log);
}

function route(state, ctx, res) {
    if (ctx.path.startsWith('/__admin/')) return handleAdmin(state, ctx, res);
    logRequest(state, ctx);
    if (ctx.path.startsWith('/1/')) return handleApi(state, ctx, res);
    const oauth = OAUTH_ROUTES[ctx.path];
    if (!oauth) return sendJson(ctx, res, 404, { error: 'not_found', path: ctx.path });
    if (!oauth.methods.includes(ctx.method)) return sendJson(ctx, res, 405, { error: 'method_not_allowed' });
    oauth.handler(state, ctx, res);
}

function startServer({ port, consumers }) {
    const state = createState(consumers);
    const server = createServer(async (req, res) => {
        try {
            const body = await readBody(req);
            route(state, requestContext(req, body, server.address().port), res);
        } catch (error) {
            if (!res.headersSent) sendJson(null, res, error.status ?? 500, { error: String(error.message) });
            else res.destroy();
        }
    });
    server.listen(port, '127.0.0.1', () => {
        console.log(`fake-oauth1 listening on http://127.0.0.1:${server.address().port}`);
    });
    server.on('error', (error) => {
        console.error(`fake-oauth1: ${error.message}`);
        process.exit(1);
    });
    return server;
}

/** SIGTERM/SIGINT: stop accepting, drop idle and open keep-alive connections, exit 0. */
function stopOnSignals(server) {
    const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
}

function main() {
    let options;
    try {
        options = parseCommandLine(process.argv.slice(2));
    } catch (error) {
        const help = error.message === USAGE;
        console.error(help ? USAGE : `fake-oauth1: ${error.message}\n${USAGE}`);
        process.exit(help ? 0 : 2);
    }
    stopOnSignals(startServer(options));
}

main();
