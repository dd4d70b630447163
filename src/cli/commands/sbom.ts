import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { LayerCache } from '../../oci/layer-cache.js';
import { openImage } from '../../oci/open.js';
import { generateSbom, type GeneratedSbom, type GenerateSbomOptions } from '../../sbom/generate.js';
import { parseOutputs, writeOutputs } from '../../sbom/outputs.js';
import { addImageOptions, imageOptions, type ImageFlags } from '../image-options.js';

interface SbomFlags extends ImageFlags {
  output: string[];
  layerCache: boolean;
}

/** `bosun sbom <image|dir>`: Syft's `syft <source> -o spdx-json[=FILE]`. */
export function registerSbom(program: Command): void {
  addImageOptions(
    program
      .command('sbom')
      .description('build the SBOM of an image or a directory (SPDX 2.3, CycloneDX 1.6 or bosun JSON)')
      .argument('[target]', 'reference, docker://REF, oci:DIR[:TAG], docker-archive:FILE[:REF], dir:PATH or a directory')
      .option('-o, --output <format[=file]>', 'spdx-json, cyclonedx-json or bosun-json, to stdout or =FILE; repeat for several (default spdx-json)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--no-layer-cache', 'do not read or write the per-layer analysis cache'),
  ).action(async (arg: string | undefined, flags: SbomFlags) => {
    const outputs = parseOutputs(flags.output.length > 0 ? flags.output : ['spdx-json']);
    const gopts: GenerateSbomOptions = flags.layerCache ? { layerCache: new LayerCache(flags.cacheDir) } : {};
    const dir = flags.input === undefined ? await directoryOf(arg) : undefined;
    let result: GeneratedSbom;
    if (dir !== undefined) {
      result = await generateSbom({ kind: 'directory', name: arg!, path: dir }, gopts);
    } else {
      const { options, progress } = imageOptions(flags, 'reading layers');
      const opened = await openImage(arg, options);
      try {
        result = await generateSbom({ kind: 'image', name: opened.name, image: opened.image, repoTags: opened.repoTags, repoDigests: opened.repoDigests }, gopts);
      } finally {
        progress.finish();
        await opened.close();
      }
    }
    await writeOutputs(result.sbom, outputs, process.stdout);
    if (!flags.quiet) process.stderr.write(summary(result));
  });
}

/** The directory a target names: `dir:PATH`, or an existing directory; undefined for an image. */
async function directoryOf(arg: string | undefined): Promise<string | undefined> {
  if (arg === undefined) return undefined;
  if (arg.startsWith('dir:')) return arg.slice('dir:'.length);
  if (/^[a-z-]+:/.test(arg) && !arg.startsWith('/') && !arg.startsWith('.')) return undefined;
  return (await stat(arg).then((s) => s.isDirectory(), () => false)) ? arg : undefined;
}

function summary(r: GeneratedSbom): string {
  const byType = new Map<string, number>();
  for (const p of r.sbom.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
  const types = [...byType].map(([t, n]) => `${t} ${n}`).join(', ');
  const layers = r.sbom.source.layers ? `; ${r.cachedLayers}/${r.sbom.source.layers.length} layers from the layer cache` : '';
  return `sbom: ${r.sbom.packages.length} packages${types ? ` (${types})` : ''}, ${r.sbom.problems.length} problems${layers}\n`;
}
