// Fires `count` POST /action/trigger calls at once and reports the total time, the slowest
// call and Ferry's thread count sampled during the burst.
// Usage: node load.mjs <ferry url> <secret key> <integration> <action> <count> <ferry pid>
import { readFileSync } from 'node:fs';

const [url, secret, integration, action, countText, pid] = process.argv.slice(2);
const count = Number(countText);
const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

let maxThreads = threads();
const sampler = setInterval(() => { maxThreads = Math.max(maxThreads, threads()); }, 10);
const started = performance.now();
const latencies = [];
const results = await Promise.all(Array.from({ length: count }, async () => {
  const t0 = performance.now();
  const response = await fetch(`${url}/action/trigger`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Connection-Id': 'u1',
               'Provider-Config-Key': integration, 'Content-Type': 'application/json' },
    body: JSON.stringify({ action_name: action, input: {} }),
  });
  await response.text();
  latencies.push(performance.now() - t0);
  return response.status;
}));
const total = performance.now() - started;
clearInterval(sampler);
latencies.sort((a, b) => a - b);
const ok = results.filter((s) => s === 200).length;
console.log(JSON.stringify({
  calls: count, ok, total_ms: Math.round(total),
  p50_ms: Math.round(latencies[Math.floor(count * 0.5)]),
  p99_ms: Math.round(latencies[Math.floor(count * 0.99)]),
  max_threads: maxThreads,
}));
