import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Progress } from '../../src/cli/progress.js';

function term(isTTY: boolean) {
  const out: string[] = [];
  return { out, isTTY, columns: 100, write: (s: string) => out.push(s) };
}

async function pump(p: Progress, size: number) {
  const s = Readable.from([Buffer.alloc(size / 2), Buffer.alloc(size / 2)]).pipe(p.track(size));
  for await (const _ of s);
}

const modes = [
  { name: 'draws on a TTY', tty: true, quiet: false, env: {}, draws: true },
  { name: 'stays silent when stderr is not a TTY', tty: false, quiet: false, env: {}, draws: false },
  { name: 'stays silent with --quiet', tty: true, quiet: true, env: {}, draws: false },
  { name: 'stays silent in CI', tty: true, quiet: false, env: { CI: 'true' }, draws: false },
];
for (const m of modes) {
  test(`progress ${m.name}`, async () => {
    const t = term(m.tty);
    const p = new Progress('pulling app', t, { quiet: m.quiet, env: m.env });
    await pump(p, 2048);
    assert.equal(t.out.length > 0, m.draws);
  });
}

test('progress bar text shows percentage, bytes and blobs', async () => {
  const p = new Progress('pulling app', term(true), { env: {} });
  await pump(p, 2048);
  p.track(2048);
  assert.match(p.render(100), /^pulling app \[#+-+\] 50% 2\.0 KiB\/4\.0 KiB 1\/2 blobs$/);
});

test('expected blobs set the total up front and are not counted twice when opened', async () => {
  const p = new Progress('pulling app', term(true), { env: {} });
  p.expect([{ digest: 'sha256:aa', size: 2048 }, { digest: 'sha256:bb', size: 2048 }, { digest: 'sha256:aa', size: 2048 }]);
  const s = Readable.from([Buffer.alloc(2048)]).pipe(p.track(2048, 'sha256:aa'));
  for await (const _ of s);
  // Half done after the first of two layers, not 100% of what was opened so far.
  assert.match(p.render(100), / 50% 2\.0 KiB\/4\.0 KiB 1\/2 blobs$/);
});
