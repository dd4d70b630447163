import type { Cataloger } from '../cataloger.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { npmInstalledCataloger } from './npm.js';
import { npmLockCataloger } from './npm-lock.js';
import { pnpmLockCataloger } from './pnpm-lock.js';
import { pythonCataloger } from './python.js';
import { yarnLockCataloger } from './yarn-lock.js';
// rpm, Ruby, PHP, .NET, Python lockfiles, go.mod
import { dotnetDepsCataloger } from './dotnet.js';
import { goModCataloger } from './go-mod.js';
import { phpComposerLockCataloger, phpInstalledCataloger } from './php.js';
import { pipfileLockCataloger, poetryLockCataloger, uvLockCataloger } from './python-lock.js';
import { pythonRequirementsCataloger } from './python-requirements.js';
import { rpmCataloger } from './rpm.js';
import { rubyGemfileLockCataloger, rubyInstalledCataloger } from './ruby.js';

/** Every cataloger bosun runs by default, in the order they run. */
export const defaultCatalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  npmInstalledCataloger,
  npmLockCataloger,
  yarnLockCataloger,
  pnpmLockCataloger,
  pythonCataloger,
  // rpm, Ruby, PHP, .NET, Python lockfiles, go.mod
  rpmCataloger,
  rubyInstalledCataloger,
  rubyGemfileLockCataloger,
  phpInstalledCataloger,
  phpComposerLockCataloger,
  dotnetDepsCataloger,
  poetryLockCataloger,
  uvLockCataloger,
  pipfileLockCataloger,
  pythonRequirementsCataloger,
  goModCataloger,
];

export { apkCataloger, dpkgCataloger, npmInstalledCataloger, npmLockCataloger, pnpmLockCataloger, pythonCataloger, yarnLockCataloger };
export {
  dotnetDepsCataloger, goModCataloger, phpComposerLockCataloger, phpInstalledCataloger, pipfileLockCataloger, poetryLockCataloger,
  pythonRequirementsCataloger, rpmCataloger, rubyGemfileLockCataloger, rubyInstalledCataloger, uvLockCataloger,
};
