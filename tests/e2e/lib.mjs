// Shared helpers for the end-to-end and browser tests: start the real
// finsam binary on a free loopback port with a fresh demo database, and a
// small HTTP client that keeps cookies like a browser.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.FINSAM_BIN || new URL('../../finsam', import.meta.url).pathname;
export const DEMO_PASSWORD = 'finsam-demo';

export function finsam(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts `finsam serve` on a fresh demo database.  prepare(dbPath), if
// given, runs after the demo is written and before the server starts.
// Returns { base, db, dir, pid, log(), stop() }; stop() resolves to the exit code.
export async function startServer({ extraArgs = [], prepare } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'finsam-e2e-'));
  const db = join(dir, 'finsam.db');
  finsam(['demo', db]);
  if (prepare) prepare(db);
  const port = await freePort();
  const child = spawn(BIN, ['serve', db, '--port', String(port), '--threads', '3', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ? 128 : code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/logga-in`);
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (i > 200) throw new Error(`finsam did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base, db, dir,
    pid: child.pid,
    log: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

// A client with a cookie jar.  Redirects are not followed, so tests see them.
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); this.csrf = null; }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method, path, { form, json, headers = {}, body } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = this.cookieHeader();
    let payload = body;
    if (form) {
      h['Content-Type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(form).toString();
    } else if (json !== undefined) {
      h['Content-Type'] = 'application/json';
      payload = typeof json === 'string' ? json : JSON.stringify(json);
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq), value = pair.slice(eq + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name); else this.cookies.set(name, value);
    }
    const text = await res.text();
    const m = text.match(/name="csrf" value="([^"]+)"/);
    if (m) this.csrf = m[1];
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  get(path, opts) { return this.request('GET', path, opts); }

  // A multipart/form-data POST with one file, as a browser's file input.
  async upload(path, fields, name, filename, content) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append(name, new Blob([content], { type: 'text/csv' }), filename);
    const res = await fetch(this.base + path, {
      method: 'POST', body: fd, redirect: 'manual', headers: { Cookie: this.cookieHeader() },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }
  post(path, form, opts = {}) { return this.request('POST', path, { form: { csrf: this.csrf ?? '', ...form }, ...opts }); }

  async login(username, password = DEMO_PASSWORD) {
    await this.get('/logga-in');
    const r = await this.request('POST', '/logga-in', { form: { csrf: this.csrf, username, password } });
    if (r.status === 303) await this.get('/'); // picks up the session's CSRF token
    return r;
  }
}

// A synthetic organisationsnummer: nine digits plus the Luhn check digit.
export function orgnr(nine) {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = Number(nine[i]);
    if (i % 2 === 0) { v *= 2; if (v > 9) v -= 9; }
    sum += v;
  }
  return `${nine.slice(0, 6)}-${nine.slice(6)}${(10 - (sum % 10)) % 10}`;
}

// A synthetic personnummer "YYYYMMDD-NNNC" from "YYYYMMDDNNN" (eleven
// digits), with the Luhn check digit computed over the ten-digit form.
export function pnr(eleven) {
  const ten9 = eleven.slice(2);
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = Number(ten9[i]);
    if (i % 2 === 0) { v *= 2; if (v > 9) v -= 9; }
    sum += v;
  }
  return `${eleven.slice(0, 8)}-${eleven.slice(8)}${(10 - (sum % 10)) % 10}`;
}

// Today's date in UTC as YYYY-MM-DD, as the server sees it.
export function today() {
  return new Date().toISOString().slice(0, 10);
}
