// Debian ships no .NET application (`apt-cache search dotnet` finds only GTK# bindings), so this
// deps.json is composed in the shape `dotnet publish` (SDK 8) writes, with real NuGet packages
// (Serilog 3.1.1, Serilog.Sinks.Console 5.0.1, Newtonsoft.Json 13.0.3) and a referenced project.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { dotnetDepsCataloger, nugetPurl, parseDepsJson } from '../../src/sbom/catalogers/dotnet.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

const depsJson = JSON.stringify({
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0/linux-x64', signature: '' },
  compilationOptions: {},
  targets: {
    '.NETCoreApp,Version=v8.0': {},
    '.NETCoreApp,Version=v8.0/linux-x64': {
      'WebApp/1.0.0': { dependencies: { 'Serilog.Sinks.Console': '5.0.1', 'Newtonsoft.Json': '13.0.3', 'Shared': '1.0.0' }, runtime: { 'WebApp.dll': {} } },
      'Newtonsoft.Json/13.0.3': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': { assemblyVersion: '13.0.0.0', fileVersion: '13.0.3.27908' } } },
      'Serilog/3.1.1': { runtime: { 'lib/net7.0/Serilog.dll': { assemblyVersion: '2.0.0.0', fileVersion: '3.1.1.0' } } },
      'Serilog.Sinks.Console/5.0.1': { dependencies: { Serilog: '3.1.1' }, runtime: { 'lib/net7.0/Serilog.Sinks.Console.dll': {} } },
      'Shared/1.0.0': { runtime: { 'Shared.dll': {} } },
    },
  },
  libraries: {
    'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': { type: 'package', serviceable: true, sha512: 'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==', path: 'newtonsoft.json/13.0.3', hashPath: 'newtonsoft.json.13.0.3.nupkg.sha512' },
    'Serilog/3.1.1': { type: 'package', serviceable: true, sha512: 'sha512-x', path: 'serilog/3.1.1', hashPath: 'serilog.3.1.1.nupkg.sha512' },
    'Serilog.Sinks.Console/5.0.1': { type: 'package', serviceable: true, sha512: 'sha512-x', path: 'serilog.sinks.console/5.0.1', hashPath: 'serilog.sinks.console.5.0.1.nupkg.sha512' },
    'Shared/1.0.0': { type: 'project', serviceable: false, sha512: '' },
  },
});

test('deps.json: package libraries only (projects are the app), dependencies from the runtime target', async () => {
  assert.deepEqual(parseDepsJson(depsJson).map((l) => [l.name, l.version, l.deps.join(',')]), [
    ['Newtonsoft.Json', '13.0.3', ''],
    ['Serilog', '3.1.1', ''],
    ['Serilog.Sinks.Console', '5.0.1', 'Serilog/3.1.1'],
  ]);
  const r = await dotnetDepsCataloger.catalog(dirTree(writeTree({ 'app/WebApp.deps.json': depsJson, 'app/Broken.deps.json': '{"targets": {}}' })), {});
  assert.deepEqual(r.packages.map((p) => p.purl), ['pkg:nuget/Newtonsoft.Json@13.0.3', 'pkg:nuget/Serilog@3.1.1', 'pkg:nuget/Serilog.Sinks.Console@5.0.1']);
  assert.equal(r.relationships?.length, 1);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/app/Broken.deps.json', 'SBOM_FILE_INVALID']]);
});

const badCases = [
  { name: 'not JSON', text: '{"libraries": ' },
  { name: 'no libraries', text: '{"runtimeTarget": {"name": "x"}}' },
  { name: 'an array', text: '[]' },
] as const;
for (const c of badCases) test(`deps.json rejects ${c.name}`, () => assert.throws(() => parseDepsJson(c.text), (e) => isBosunError(e, 'SBOM_FILE_INVALID')));

test('deps.json: keys without a version and unknown types are skipped', () => {
  const text = JSON.stringify({ libraries: { NoVersion: { type: 'package' }, 'Ref/1.0': { type: 'reference' }, 'Pack/2.0': { type: 'runtimepack' } } });
  assert.deepEqual(parseDepsJson(text).map((l) => l.key), ['Pack/2.0']);
});

test('nuget purl', () => assert.equal(nugetPurl('Newtonsoft.Json', '13.0.3'), 'pkg:nuget/Newtonsoft.Json@13.0.3'));
