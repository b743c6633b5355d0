// The clients of bench/streams.sh, in their own process so that they do not share the service's
// JVM: opens CLIENTS Server-Sent Event streams over the given jobs (round robin), plus one stream
// that is never read, and measures each log event's delay from the handler's log call
// (`t=<epoch microseconds>` in the message) to its arrival here. Prints one JSON line, then exits
// when every stream has ended (the service closes them at the job's terminal status).
// Usage: node sse-clients.mjs <base-url> <api-key> <clients> <measure-from-epoch-ms> <job-id>...
import http from 'node:http';
import net from 'node:net';

const [base, key, clientsArg, measureFromArg, ...jobs] = process.argv.slice(2);
const clients = Number(clientsArg);
const measureFrom = Number(measureFromArg);
const nowMicros = () => (performance.timeOrigin + performance.now()) * 1000;
const delays = [];
let received = 0;
let ended = 0;
let failed = 0;

function follow(job) {
  let over = false;
  const finish = () => {
    if (!over) {
      over = true;
      done();
    }
  };
  const req = http.get(`${base}api/v1/jobs/${job}/events`, {
    agent: false,
    headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' },
  }, (res) => {
    if (res.statusCode !== 200) {
      failed++;
    }
    res.setEncoding('utf8');
    let buffered = '';
    res.on('data', (chunk) => {
      const arrived = nowMicros();
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!frame.includes('event: log') && !frame.includes('event:log')) continue;
        received++;
        const t = frame.indexOf('t=');
        if (t >= 0 && Date.now() > measureFrom) {
          delays.push(arrived - Number.parseInt(frame.slice(t + 2), 10));
        }
      }
    });
    res.on('close', finish);
    res.on('error', finish);
  });
  req.on('error', () => { failed++; finish(); });
}

// A client that opens a stream and never reads it: its socket is paused.
const stalled = net.connect({ host: new URL(base).hostname, port: Number(new URL(base).port) }, () => {
  stalled.write(`GET /api/v1/jobs/${jobs[0]}/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  stalled.pause();
});
stalled.on('error', () => {});

function done() {
  ended++;
  if (ended === clients) {
    delays.sort((a, b) => a - b);
    const pct = (p) => delays.length ? delays[Math.max(0, Math.ceil(p / 100 * delays.length) - 1)] / 1000 : NaN;
    console.log(JSON.stringify({ received, failed, measured: delays.length,
      p50: pct(50), p99: pct(99), max: pct(100) }));
    stalled.destroy();
    process.exit(0);
  }
}

for (let i = 0; i < clients; i++) {
  follow(jobs[i % jobs.length]);
}
console.error(`opened ${clients} streams`);
