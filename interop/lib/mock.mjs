// Starts `wxpay mock` (the binary built from this repository) on a free loopback port and
// reads the settings it writes, as another team would.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// parseEnv reads the KEY=value lines of a .env file (bare or 'single-quoted' values).
export function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1).replaceAll(`'\\''`, "'");
    env[m[1]] = v;
  }
  return env;
}

export async function startMock(bin, mode) {
  const dir = mkdtempSync(join(tmpdir(), `wxpay-interop-${mode}-`));
  const keys = join(dir, 'keys');
  const child = spawn(bin, ['mock', '--addr', '127.0.0.1:0', '--keys', keys, '--mode', mode], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => { stderr = (stderr + b).slice(-20000); });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  const envPath = join(keys, '.env');
  const deadline = Date.now() + 60000;
  while (!existsSync(envPath)) {
    if (exited !== null) throw new Error(`wxpay mock exited ${exited}: ${stderr}`);
    if (Date.now() > deadline) { child.kill(); throw new Error('wxpay mock wrote no .env within 60 s'); }
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = parseEnv(readFileSync(envPath, 'utf8'));
  const file = (name) => readFileSync(join(keys, name));
  return {
    mode,
    env,
    baseURL: env.WXPAY_BASE_URL,
    apiv3Key: readFileSync(join(keys, 'apiv3_key.txt'), 'utf8').trim(),
    privateKey: file('apiclient_key.pem'),
    merchantCert: file('apiclient_cert.pem'),
    platformCert: file('platform_cert.pem'),
    publicKey: env.WXPAY_PUBLIC_KEY_FILE ? readFileSync(env.WXPAY_PUBLIC_KEY_FILE) : null,
    log: () => stderr,
    async stop() {
      if (exited === null) {
        const done = new Promise((r) => child.on('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The docs' example data the mock holds (wxpaytest.DemoSubMchID, DemoBalAccountNo).
export const demo = {
  subMchid: '1900000109',
  available: 10000,
  pending: 1,
  balAccountNo: '8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f',
  balance: 1,
};

// check throws unless cond holds.
export function check(cond, what) {
  if (!cond) throw new Error(what);
}
