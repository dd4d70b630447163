/** sha256 over the path, size and mtime of every .ts file under `<root>/src`. */
export function srcFingerprint(root: string): string;
