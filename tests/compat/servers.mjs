// Starts the real binaries for a test: fake-atlassian and `ferry serve` on a folder of its
// own. Every child and folder is cleaned up by stopAll().
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const kStartTimeoutMs = 30_000;
const children = [];
const folders = [];

/** Starts `argv` and resolves with [child, the first match of `pattern` in its output]. */
export function start(argv, pattern, options = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...options });
        children.push(child);
        let output = '';
        const timer = setTimeout(() => reject(new Error(`${argv[0]} did not start:\n${output}`)), kStartTimeoutMs);
        const onData = (chunk) => {
            output += chunk;
            const match = output.match(pattern);
            if (match) {
                clearTimeout(timer);
                resolve([child, match]);
            }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (error) => reject(error));
        child.on('exit', (code) => reject(new Error(`${argv[0]} exited with ${code}:\n${output}`)));
    });
}

/** A port that was free a moment ago (Ferry's server_root_url must name its real port). */
export function freePort() {
    return new Promise((resolve) => {
        const server = createServer();
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** Starts fake-atlassian on a free port; resolves with its base URL. */
export async function startFakeAtlassian(binary, args = []) {
    const [, match] = await start([binary, '--port', '0', ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return match[1];
}

/**
 * Writes `files` (relative path -> text) into a new folder and serves it with `ferry serve`
 * on `port`; resolves with the folder once the server listens.
 */
export async function startFerry(binary, files) {
    const folder = mkdtempSync(join(tmpdir(), 'ferry-compat-'));
    folders.push(folder);
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, path)), { recursive: true });
        writeFileSync(join(folder, path), text);
    }
    await start([binary, 'serve', folder], /Ferry listening on/);
    return folder;
}

/** Stops every child started here, waits for them, then removes the folders. */
export async function stopAll() {
    await Promise.all(children.map((child) => new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
    })));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}
