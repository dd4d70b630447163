import type { Duplex, Readable } from 'node:stream';

/**
 * `source.pipe(through)` with the two links plain `pipe` leaves out: an error on `source`
 * destroys `through` with that error (so its consumer fails instead of waiting forever), and
 * `through` closing early (a consumer that stopped reading) destroys `source`.
 */
export function pipeThrough<T extends Duplex>(source: Readable, through: T): T {
  source.on('error', (err) => through.destroy(err));
  through.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return source.pipe(through);
}
