// Checks HTTP answers against openapi/ferry.openapi.json: the status must be documented for
// the operation, the content type for that status, and the body must match its schema (ajv,
// JSON Schema 2020-12). Also records which operations were called.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const documentPath = join(here, '..', '..', 'openapi', 'ferry.openapi.json');
const kMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export const doc = JSON.parse(readFileSync(documentPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'ferry');

/** A JSON pointer into the document. */
function pointer(parts) {
    return '#/' + parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** Follows a local $ref of the document (components only). */
function resolve(node) {
    let parts = null;
    while (node && node.$ref) {
        parts = node.$ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        node = parts.reduce((at, key) => at[key], doc);
    }
    return [node, parts];
}

const validators = new Map();
/** The compiled schema at `parts` of the document (its $refs resolve within the document). */
function validatorAt(parts) {
    const key = pointer(parts);
    if (!validators.has(key)) validators.set(key, ajv.compile({ $ref: `ferry${key}` }));
    return validators.get(key);
}

// Every operation of the document, by operationId.
export const operations = new Map();
for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of kMethods) {
        if (item[method]) operations.set(item[method].operationId, { path, method, item, op: item[method] });
    }
}
const exercised = new Map();  // operationId -> Set of statuses seen
export const pendingSeen = new Set();

/** `template` ("/connections/{id}") as a regular expression over a request path. */
export function templateRegex(template) {
    const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    return new RegExp('^' + escaped.replace(/\\?\{[^}]+\\?\}/g, (m) => (m.includes('endpoint') ? '.+' : '[^/]+')) + '$');
}

function mediaType(contentType) {
    return (contentType || '').split(';')[0].trim().toLowerCase();
}

/** The content entry of `content` for `type`, honouring `*\/*` and `text/*`. */
function findMedia(content, type) {
    if (content[type]) return type;
    const wildcard = `${type.split('/')[0]}/*`;
    if (content[wildcard]) return wildcard;
    if (content['*/*']) return '*/*';
    return null;
}

/** The parameters of an operation (path item's and its own), resolved. */
function parametersOf(entry) {
    return [...(entry.item.parameters || []), ...(entry.op.parameters || [])].map((p) => resolve(p)[0]);
}

/**
 * Checks a response against operation `operationId`: documented status, content type and body
 * schema, documented headers. Throws an assertion naming the path and the ajv errors.
 */
export function checkResponse(operationId, where, response) {
    const entry = operations.get(operationId);
    assert.ok(entry, `no operation ${operationId} in the document`);
    const { op } = entry;
    const status = String(response.status);
    let key = status;
    // The proxy relays the provider's answers: those without Ferry's error mark are `default`.
    if (op['x-ferry-relayed-default'] && !response.headers.get('x-ferry-error')) key = 'default';
    if (!op.responses[key]) key = op.responses.default && !op['x-ferry-relayed-default'] ? 'default' : key;
    assert.ok(op.responses[key], `${where}: status ${status} is not documented for ${operationId} ` +
        `(documented: ${Object.keys(op.responses).join(', ')}); body: ${response.text.slice(0, 300)}`);
    const [described, refParts] = resolve(op.responses[key]);
    const base = refParts || ['paths', entry.path, entry.method, 'responses', key];

    for (const [name, header] of Object.entries(described.headers || {})) {
        const [spec] = resolve(header);
        const value = response.headers.get(name);
        if (value === null) {
            assert.ok(!spec.required, `${where}: header ${name} is required on ${status}`);
            continue;
        }
        if (spec.schema && spec.schema.type !== 'integer') {
            const validate = ajv.compile(spec.schema);
            assert.ok(validate(value), `${where}: header ${name}: ${ajv.errorsText(validate.errors)}`);
        }
    }

    if (!described.content) {
        assert.equal(response.text, '', `${where}: ${status} has no documented body but got one`);
        return;
    }
    const type = mediaType(response.headers.get('content-type'));
    const media = findMedia(described.content, type);
    assert.ok(media, `${where}: content type "${type}" is not documented for ${status} of ${operationId} ` +
        `(documented: ${Object.keys(described.content).join(', ')})`);
    if (!described.content[media].schema) return;
    let body = response.text;
    if (media === 'application/json') {
        try {
            body = JSON.parse(response.text);
        } catch (error) {
            assert.fail(`${where}: the body is not JSON: ${response.text.slice(0, 200)}`);
        }
    }
    const validate = validatorAt([...base, 'content', media, 'schema']);
    if (!validate(body)) {
        assert.fail(`${where}: ${status} body does not match ${operationId}'s schema: ` +
            `${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 1000)}\n` +
            `${JSON.stringify(validate.errors.slice(0, 5), null, 1)}\n` +
            `body: ${response.text.slice(0, 500)}`);
    }
}

/** Checks that a request Ferry accepted is one the document describes. */
export function checkRequest(operationId, where, url, headers, body) {
    const entry = operations.get(operationId);
    for (const param of parametersOf(entry)) {
        if (!param.required) continue;
        if (param.in === 'query') {
            assert.ok(url.searchParams.has(param.name), `${where}: succeeded without required query ${param.name}`);
        } else if (param.in === 'header') {
            assert.ok(Object.keys(headers).some((h) => h.toLowerCase() === param.name.toLowerCase()),
                `${where}: succeeded without required header ${param.name}`);
        }
    }
    const requestBody = entry.op.requestBody;
    if (!requestBody || body === undefined) return;
    const json = requestBody.content['application/json'];
    if (!json || typeof body !== 'object') return;
    const validate = validatorAt(['paths', entry.path, entry.method, 'requestBody', 'content', 'application/json', 'schema']);
    assert.ok(validate(body), `${where}: the document refuses a body Ferry accepted: ${ajv.errorsText(validate.errors)}`);
}

/** Notes that `operationId` was called and answered `status`. */
export function record(operationId, status) {
    if (!exercised.has(operationId)) exercised.set(operationId, new Set());
    exercised.get(operationId).add(status);
}

/** The operations of the document never called so far. */
export function unexercised() {
    return [...operations.keys()].filter((id) => !exercised.has(id));
}
