// The admission benchmark's load generator, run as a child process (bench/admission.ts forks it)
// so the client's TLS, JSON and bookkeeping never run on the webhook's event loop: in one
// process they would show up as webhook latency. It POSTs one AdmissionReview body `requests`
// times with `inFlight` workers over a bounded undici keep-alive pool and sends back the round
// trips and the number of denials.
import { Pool } from 'undici';

/** What the parent sends: where to post, what, how often. */
export interface ClientJob {
  readonly url: string;
  readonly ca: string;
  readonly path: string;
  readonly body: string;
  readonly requests: number;
  readonly inFlight: number;
}

/** What the child answers. */
export interface ClientResult {
  readonly roundTripsMs: number[];
  readonly denied: number;
  readonly seconds: number;
}

async function run(job: ClientJob): Promise<ClientResult> {
  const pool = new Pool(job.url, { connections: Math.min(job.inFlight, 100), connect: { ca: job.ca, servername: 'localhost', timeout: 60_000 } });
  const roundTripsMs: number[] = [];
  let next = 0;
  let denied = 0;
  const send = async (): Promise<boolean> => {
    const res = await pool.request({ path: job.path, method: 'POST', headers: { 'content-type': 'application/json' }, body: job.body });
    const json = (await res.body.json()) as { response?: { allowed?: boolean } };
    return json.response?.allowed === true;
  };
  // One untimed request per pooled connection first: the API server keeps its connections to a
  // webhook open, so TLS handshakes are not part of steady-state admission latency.
  await Promise.all(Array.from({ length: Math.min(job.inFlight, 100) }, send));
  const worker = async (): Promise<void> => {
    while (next < job.requests) {
      next++;
      const t0 = performance.now();
      const allowed = await send();
      roundTripsMs.push(performance.now() - t0);
      if (!allowed) denied++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: job.inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { roundTripsMs, denied, seconds };
}

process.once('message', (job: ClientJob) => {
  run(job).then((r) => process.send!(r, () => process.exit(0)), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
