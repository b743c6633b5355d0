// The stub of the reference run: answers every request after 50 ms, in its own process.
import http from 'node:http';

const latency = Number(process.env.LATENCY_MS ?? 50);
const server = http.createServer((req, res) => {
  setTimeout(() => res.end(`<p>ok ${req.url}</p>`), latency);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
