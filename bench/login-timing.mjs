#!/usr/bin/env node
// Benchmark: how long a login takes on each of its paths (right password,
// wrong password, unknown name, disabled account, locked), and how many
// API writes per second get through while two clients keep logging in.
// Reports figures; asserts nothing.  Run from the top folder:
//
//   node bench/login-timing.mjs [ROUNDS]     default 15 logins per path
//   FINSAM_BIN=/path/to/finsam node bench/login-timing.mjs
import { execFileSync } from 'node:child_process';
import { Client, DEMO_PASSWORD, finsam, startServer } from '../tests/e2e/lib.mjs';

const rounds = Number(process.argv[2] || 15);
const srv = await startServer({ extraArgs: ['--behind-proxy'] });
finsam(['user', 'disable', srv.db, 'styrelse']);
const token = execFileSync(process.env.FINSAM_BIN || 'finsam', ['token', 'add', srv.db, 'bench'],
  { encoding: 'utf8' }).trim();

let n = 0;
async function timeLogin(username, password, address) {
  const c = new Client(srv.base);
  await c.get('/logga-in');
  const t0 = process.hrtime.bigint();
  const r = await c.request('POST', '/logga-in', {
    form: { csrf: c.csrf, username, password }, headers: { 'X-Forwarded-For': address },
  });
  return [Number(process.hrtime.bigint() - t0) / 1e6, r.status];
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

// Lock the pair (revisor, 203.0.113.1) for the "locked" path.
for (let i = 0; i < 5; i++) await timeLogin('revisor', 'fel-losenord', '203.0.113.1');
const paths = [
  ['right password', 'chef', DEMO_PASSWORD, () => `198.51.100.${(n++ % 200) + 1}`],
  ['wrong password', 'admin', 'fel-losenord', () => `192.0.2.${(n++ % 200) + 1}`],
  ['unknown name', 'ingen.alls', 'fel-losenord', () => `192.0.2.${(n++ % 200) + 1}`],
  ['disabled account', 'styrelse', DEMO_PASSWORD, () => `192.0.2.${(n++ % 200) + 1}`],
  ['locked', 'revisor', DEMO_PASSWORD, () => '203.0.113.1'],
];
console.log(`login latency, median of ${rounds} (ms):`);
const times = Object.fromEntries(paths.map(([name]) => [name, []]));
for (let i = 0; i < rounds; i++) {
  for (const [name, user, pw, addr] of paths) {
    const [ms, status] = await timeLogin(user, pw, addr());
    times[name].push(ms);
    if (i === 0) times[name].status = status;
  }
}
for (const [name] of paths) console.log(`  ${name.padEnd(18)} ${median(times[name]).toFixed(1).padStart(7)}  (HTTP ${times[name].status})`);

// API writes per second for 3 s, alone and while two clients log in.
async function writes(seconds) {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all([0, 1].map(async () => {
    while (Date.now() < end) {
      const r = await fetch(`${srv.base}/api/v1/areas/1`, {
        method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Område ${done}` }),
      });
      await r.text();
      if (r.status < 300) done++;
    }
  }));
  return done / seconds;
}
console.log(`API writes/s alone:               ${(await writes(3)).toFixed(0)}`);
let stop = false;
const loops = [0, 1].map(async () => { while (!stop) await timeLogin('chef', DEMO_PASSWORD, `198.18.0.${(n++ % 250) + 1}`); });
console.log(`API writes/s while two log in:    ${(await writes(3)).toFixed(0)}`);
stop = true;
await Promise.all(loops);
await srv.stop();
