import type { Cataloger } from '../cataloger.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { npmInstalledCataloger } from './npm.js';
import { npmLockCataloger } from './npm-lock.js';
import { pythonCataloger } from './python.js';

/** Every cataloger bosun runs by default, in the order they run. */
export const defaultCatalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  npmInstalledCataloger,
  npmLockCataloger,
  pythonCataloger,
];

export { apkCataloger, dpkgCataloger, npmInstalledCataloger, npmLockCataloger, pythonCataloger };
