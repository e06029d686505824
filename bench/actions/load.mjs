// Fires `count` POST /action/trigger calls at once and reports the total time, the latencies
// and Ferry's thread count sampled during the burst. Raw HTTP/1.1 over node:net, one
// connection per call: a load generator this light leaves the CPU to the server being
// measured (Node's fetch spent more CPU on 1,000 calls than Ferry did).
// Usage: node load.mjs <ferry url> <secret key> <integration> <action> <count> <ferry pid>
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [url, secret, integration, action, countText, pid] = process.argv.slice(2);
const count = Number(countText);
const { hostname, port } = new URL(url);
const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const body = JSON.stringify({ action_name: action, input: {} });
const request =
  `POST /action/trigger HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
  `Authorization: Bearer ${secret}\r\nConnection-Id: u1\r\nProvider-Config-Key: ${integration}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
  `Connection: close\r\n\r\n${body}`;

// One call: resolves with the status once the whole answer (Content-Length) has arrived.
function call() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(request));
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (status) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ status, ms: performance.now() - t0 });
    };
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (received.length >= end + 4 + length) finish(Number(text.split(' ')[1]));
    });
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
  });
}

let maxThreads = threads();
const sampler = setInterval(() => { maxThreads = Math.max(maxThreads, threads()); }, 10);
const started = performance.now();
const results = await Promise.all(Array.from({ length: count }, call));
const total = performance.now() - started;
clearInterval(sampler);
const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
const ok = results.filter((r) => r.status === 200).length;
console.log(JSON.stringify({
  calls: count, ok, total_ms: Math.round(total),
  p50_ms: Math.round(latencies[Math.floor(count * 0.5)]),
  p99_ms: Math.round(latencies[Math.floor(count * 0.99)]),
  max_threads: maxThreads,
}));
