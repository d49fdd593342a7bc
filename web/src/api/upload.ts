import { getCsrfToken } from './client';
import { ProblemError, type ProblemDetails } from './problem';
import type { paths } from './schema';

export type UploadedPackage =
  paths['/api/v1/releases/{name}/packages/{channel}/files/{fileName}']['put']['responses'][201]['content']['application/json'];

/** How far an upload has got: bytes sent of the file's size. */
export type UploadProgress = { loaded: number; total: number };

export function packageUploadUrl(release: string, channel: string, fileName: string, app: string | undefined): string {
  const enc = encodeURIComponent;
  const query = app ? `?app=${enc(app)}` : '';
  return `/api/v1/releases/${enc(release)}/packages/${enc(channel)}/files/${enc(fileName)}${query}`;
}

function problemOf(xhr: XMLHttpRequest): ProblemError {
  let body: unknown = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    // not JSON: described from the status alone
  }
  if (body && typeof body === 'object' && 'title' in body) return new ProblemError({ ...(body as ProblemDetails), status: xhr.status });
  return new ProblemError({ status: xhr.status, title: xhr.statusText || `HTTP ${xhr.status}` });
}

/**
 * Sends a file as the raw body (`application/octet-stream`, streamed by the
 * server as it arrives) with XMLHttpRequest, whose upload events give the
 * progress that `fetch` cannot. A refusal is thrown as a ProblemError, as the
 * `api` client does.
 */
export function uploadPackageFile(opts: {
  release: string;
  channel: string;
  file: File;
  app: string | undefined;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}): Promise<UploadedPackage> {
  const { file, onProgress, signal } = opts;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', packageUploadUrl(opts.release, opts.channel, file.name, opts.app));
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as UploadedPackage);
        } catch {
          reject(new ProblemError({ status: xhr.status, title: 'The answer to the upload could not be read' }));
        }
      } else reject(problemOf(xhr));
    };
    // The server may refuse a file before it has all of it (too large, not an export) and close the
    // connection; the browser then reports no answer at all.
    xhr.onerror = () =>
      reject(
        new ProblemError({
          status: 0,
          title: 'The upload was cut off',
          detail: `The connection closed before relman answered. The file (${file.size} bytes) may be over the server's upload limit, or the network failed; try again.`,
        }),
      );
    xhr.onabort = () => reject(new ProblemError({ status: 0, title: 'Upload cancelled', detail: `${file.name} was not uploaded.` }));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
