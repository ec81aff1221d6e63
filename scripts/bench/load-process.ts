/**
 * autocannon in a process of its own, so that the server it loads has its event loop and a core to
 * itself, as a daemon does when the photographer's plug-in is the client: argv[2] is autocannon's
 * options as JSON; the figures go back to the parent as one message.
 */
import autocannon from 'autocannon';

const r = await autocannon(JSON.parse(process.argv[2] as string) as autocannon.Options);
process.send?.({ rps: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99, errors: r.errors + r.non2xx });
process.disconnect();
