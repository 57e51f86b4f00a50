// End-to-end: what a kept-alive connection costs the server.  libmicrohttpd
// gives each connection a memory pool and zeroes it after every request, so
// its size is paid per request and, with hundreds of connections open, in
// memory (issue 8: 256 KiB each, 128 MiB at the 512-connection limit, and a
// third of the instructions of a small page).  The server's resident
// memory is read from /proc before and after 400 connections have each
// made one request and stay open.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from './lib.mjs';

let srv;
before(async () => { srv = await startServer({ extraArgs: ['--per-address', '0'] }); });
after(async () => { assert.equal(await srv.stop(), 0); });

const residentKiB = () =>
  Number(readFileSync(`/proc/${srv.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

// n connections, each sending one GET of path and reading the whole answer;
// they stay open (keep-alive) until closed by the caller.
async function keptAlive(n, path) {
  const { port } = new URL(srv.base);
  const socks = [];
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: Number(port) });
    let got = '';
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: finsam\r\n\r\n`));
    s.on('data', (d) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      const len = got.match(/Content-Length: (\d+)/i);
      if (end >= 0 && len && Buffer.byteLength(got.slice(end + 4)) >= Number(len[1])) resolve();
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('closed before the answer')));
    socks.push(s);
  })));
  return socks;
}

test('400 kept-alive connections cost the server well under 60 MB', async () => {
  const page = await (await fetch(`${srv.base}/logga-in`)).text();
  const css = page.match(/<link rel="stylesheet" href="([^"]+)"/)[1];
  const before = residentKiB();
  const socks = await keptAlive(400, css);
  try {
    await new Promise((res) => setTimeout(res, 200));
    const grown = (residentKiB() - before) / 1024;
    // 256 KiB per connection grew it by about 100 MB; 64 KiB by about 26.
    assert.ok(grown < 60, `400 connections took ${grown.toFixed(1)} MB`);
  } finally {
    for (const s of socks) s.destroy();
  }
});

test('requests with 24 KB of headers are still read', async () => {
  // As much as a browser with many cookies for the domain sends; nginx
  // accepts 32 KB in all by default.
  const r = await fetch(`${srv.base}/logga-in`, { headers: { Cookie: `andra=${'a'.repeat(24000)}` } });
  assert.equal(r.status, 200);
});
