import type { Cataloger } from '../cataloger.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { goBinaryCataloger } from './go.js';
import { javaCataloger } from './java.js';
import { npmInstalledCataloger } from './npm.js';
import { npmLockCataloger } from './npm-lock.js';
import { pnpmLockCataloger } from './pnpm-lock.js';
import { pythonCataloger } from './python.js';
import { runtimeCataloger } from './runtimes.js';
import { cargoAuditableCataloger, cargoLockCataloger } from './rust.js';
import { yarnLockCataloger } from './yarn-lock.js';
import { dotnetDepsCataloger } from './dotnet.js';
import { goModCataloger } from './go-mod.js';
import { phpComposerLockCataloger, phpInstalledCataloger } from './php.js';
import { pipfileLockCataloger, poetryLockCataloger, uvLockCataloger } from './python-lock.js';
import { pythonRequirementsCataloger } from './python-requirements.js';
import { rpmCataloger } from './rpm.js';
import { rubyGemfileLockCataloger, rubyInstalledCataloger } from './ruby.js';

/** Every cataloger bosun runs by default, in the order they run. */
export const defaultCatalogers: readonly Cataloger[] = [
  // OS package databases
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  // language ecosystems: installed packages, then project lock files
  npmInstalledCataloger,
  npmLockCataloger,
  yarnLockCataloger,
  pnpmLockCataloger,
  pythonCataloger,
  poetryLockCataloger,
  uvLockCataloger,
  pipfileLockCataloger,
  pythonRequirementsCataloger,
  rubyInstalledCataloger,
  rubyGemfileLockCataloger,
  phpInstalledCataloger,
  phpComposerLockCataloger,
  dotnetDepsCataloger,
  goModCataloger,
  cargoLockCataloger,
  // binary content
  javaCataloger,
  goBinaryCataloger,
  cargoAuditableCataloger,
  runtimeCataloger,
];

export {
  apkCataloger, cargoAuditableCataloger, cargoLockCataloger, dotnetDepsCataloger, dpkgCataloger, goBinaryCataloger, goModCataloger,
  javaCataloger, npmInstalledCataloger, npmLockCataloger, phpComposerLockCataloger, phpInstalledCataloger, pipfileLockCataloger,
  pnpmLockCataloger, poetryLockCataloger, pythonCataloger, pythonRequirementsCataloger, rpmCataloger, rubyGemfileLockCataloger,
  rubyInstalledCataloger, runtimeCataloger, uvLockCataloger, yarnLockCataloger,
};
