import autocannon from 'autocannon';

/**
 * The load generator of bench/polling.ts, in its own process so that it does not share the server's event loop.
 * POLL_LOAD (JSON): { url, pollers: [{ key, etag }], connections, seconds, conditional }. Prints the result as JSON.
 */
const { url, pollers, connections, seconds, conditional } = JSON.parse(process.env.POLL_LOAD!) as {
  url: string; pollers: { key: string; etag: string }[]; connections: number; seconds: number; conditional: boolean;
};
let n = 0;
const result = await autocannon({
  url, connections, duration: seconds,
  requests: [{ setupRequest: (req) => {
    const p = pollers[n++ % pollers.length]!;
    return { ...req, headers: { authorization: `Bearer ${p.key}`, ...(conditional ? { 'if-none-match': p.etag } : {}) } };
  } }],
});
const expected = conditional ? result['3xx'] : result['2xx'];
process.stdout.write(JSON.stringify({
  'req/s': Math.round(result.requests.average), 'p50 ms': result.latency.p50, 'p99 ms': result.latency.p99,
  requests: result.requests.total, unexpected: result.requests.total - expected + result.errors,
}));
