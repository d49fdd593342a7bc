import { SftpTransferError } from './errors.js';

/** A remote name must be one plain file name: no directory part, no '..', no NUL, no control characters. */
export function checkRemoteName(name: string): void {
  const bad =
    name.length === 0
      ? 'is empty'
      : name.includes('/') || name.includes('\\')
        ? 'contains a path separator'
        : name === '.' || name === '..' || name.includes('..')
          ? "contains '..'"
          : // eslint-disable-next-line no-control-regex
            /[\u0000-\u001f\u007f]/.test(name)
            ? 'contains a control character'
            : name.length > 240
              ? 'is longer than 240 characters'
              : null;
  if (bad) throw new SftpTransferError('invalid-name', `remote name ${JSON.stringify(name)} ${bad}: it must be a plain file name`, name);
}

/** The remote directory joined with a checked name, with one '/' between them. */
export function remotePathOf(directory: string, name: string): string {
  if (directory === '' || directory === '.') return name;
  return directory.endsWith('/') ? directory + name : `${directory}/${name}`;
}
