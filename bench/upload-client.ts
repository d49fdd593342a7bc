import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';

/**
 * The upload benchmark's client, in a process of its own as a user's would be:
 * PUTs a file with node:http, the file piped in 4 MiB reads (the plainest
 * client, so the figure is the server's), and prints the timings as JSON.
 *
 * Usage: upload-client.ts URL TOKEN FILE
 */
const [url, token, file] = process.argv.slice(2);
if (!url || !token || !file) throw new Error('usage: upload-client.ts URL TOKEN FILE');
const size = statSync(file).size;
const t0 = performance.now();
let sentMs = 0;
const req = httpRequest(
  new URL(url),
  {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(size) },
  },
  (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const ms = performance.now() - t0;
      process.stdout.write(JSON.stringify({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms, sentMs }));
    });
  },
);
req.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
const stream = createReadStream(file, { highWaterMark: 4 * 1024 * 1024 });
stream.on('end', () => (sentMs = performance.now() - t0));
stream.pipe(req);
