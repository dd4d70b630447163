import type { Cataloger } from '../cataloger.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { goBinaryCataloger, goModCataloger } from './go.js';
import { javaCataloger } from './java.js';
import { npmInstalledCataloger } from './npm.js';
import { npmLockCataloger } from './npm-lock.js';
import { pnpmLockCataloger } from './pnpm-lock.js';
import { pythonCataloger } from './python.js';
import { runtimeCataloger } from './runtimes.js';
import { cargoAuditableCataloger, cargoLockCataloger } from './rust.js';
import { yarnLockCataloger } from './yarn-lock.js';

/** Every cataloger bosun runs by default, in the order they run. */
export const defaultCatalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  npmInstalledCataloger,
  npmLockCataloger,
  yarnLockCataloger,
  pnpmLockCataloger,
  pythonCataloger,
  javaCataloger,
  goBinaryCataloger,
  goModCataloger,
  cargoLockCataloger,
  cargoAuditableCataloger,
  runtimeCataloger,
];

export {
  apkCataloger, cargoAuditableCataloger, cargoLockCataloger, dpkgCataloger, goBinaryCataloger, goModCataloger, javaCataloger,
  npmInstalledCataloger, npmLockCataloger, pnpmLockCataloger, pythonCataloger, runtimeCataloger, yarnLockCataloger,
};
