import type { Command } from 'commander';
import { BosunError } from '../../errors.js';
import { inspectImage, type InspectReport } from '../../oci/inspect.js';
import { formatPlatform } from '../../oci/manifest.js';
import { openImage } from '../../oci/open.js';
import { formatBytes, shortDigest, table } from '../format.js';
import { addImageOptions, imageOptions, type ImageFlags } from '../image-options.js';

/** `bosun inspect <image>`: digest, platform, config, layers and history, without pulling layers. */
export function registerInspect(program: Command): void {
  addImageOptions(
    program
      .command('inspect')
      .description('show an image\'s digest, platform, config, layers and history (reads no layer)')
      .argument('[image]', 'reference, docker://REF, oci:DIR[:TAG], docker-archive:FILE[:REF]')
      .option('-f, --format <format>', 'table or json', 'table'),
  ).action(async (arg: string | undefined, flags: ImageFlags & { format: string }) => {
    if (flags.format !== 'table' && flags.format !== 'json') {
      throw new BosunError('INPUT_INVALID', `unknown --format "${flags.format}": use table or json`);
    }
    const { options } = imageOptions(flags, 'inspect');
    const opened = await openImage(arg, options);
    try {
      const report = await inspectImage(opened.image, { name: opened.name, ...(opened.index ? { index: opened.index } : {}) });
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderInspect(report));
    } finally {
      await opened.close();
    }
  });
}

/** The human-readable form of an inspect report. */
export function renderInspect(r: InspectReport): string {
  const c = r.config;
  const fields: Array<[string, string | undefined]> = [
    ['Name', r.name],
    ['Digest', r.digest],
    ['Media type', r.mediaType],
    ['Platform', formatPlatform(r.platform)],
    ['Index', r.index ? `${r.index.digest} (${r.index.platforms.join(', ')})` : undefined],
    ['Created', r.created],
    ['Author', r.author],
    ['Config', c.digest],
    ['User', c.user],
    ['Working dir', c.workingDir],
    ['Entrypoint', c.entrypoint ? JSON.stringify(c.entrypoint) : undefined],
    ['Cmd', c.cmd ? JSON.stringify(c.cmd) : undefined],
    ['Ports', c.exposedPorts?.join(', ')],
    ['Env', c.env?.join('\n             ')],
    ['Labels', c.labels ? Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join('\n             ') : undefined],
  ];
  const head = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${`${k}:`.padEnd(13)}${v}`).join('\n');
  const layers = table(
    ['#', 'DIGEST', 'DIFF ID', 'SIZE', 'MEDIA TYPE'],
    r.layers.map((l, i) => [String(i), shortDigest(l.digest), shortDigest(l.diffId), formatBytes(l.size), l.mediaType]),
  );
  const history = table(
    ['CREATED', 'CREATED BY', 'EMPTY'],
    r.history.map((h) => [h.created ?? '', (h.created_by ?? '').replace(/\s+/g, ' ').slice(0, 90), h.empty_layer ? 'yes' : '']),
  );
  return `${head}\n\nLayers (${r.layers.length}, ${formatBytes(r.totalSize)} compressed):\n${layers}\nHistory:\n${history}`;
}
