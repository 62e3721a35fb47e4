// make interop: independent clients against `wxpay mock`, in both verification modes, then
// the reverse direction (our Go client against a Node server built on the SDKs' primitives),
// then the matrix. Usage: node run.mjs WXPAY_BINARY [RESULTS_FILE]
import { appendFileSync } from 'node:fs';
import { startMock } from './lib/mock.mjs';
import * as axiosPlugin from './lib/axios-plugin.mjs';
import * as nodeV3 from './lib/node-v3.mjs';

const [bin, resultsFile = 'results.txt'] = process.argv.slice(2);
if (!bin) {
  console.error('usage: node run.mjs WXPAY_BINARY [RESULTS_FILE]');
  process.exit(2);
}

// record runs one case and appends "client mode query pass|fail" to the results file.
async function record(client, mode, query, fn) {
  try {
    const out = await fn();
    appendFileSync(resultsFile, `${client} ${mode} ${query} pass\n`);
    console.log(`PASS ${client} ${mode} ${query}`);
    return out;
  } catch (e) {
    const why = (e?.response ? `${e.response.status} ${JSON.stringify(e.response.data ?? e.response.text)}` : '') + ' ' + (e?.stack ?? e);
    appendFileSync(resultsFile, `${client} ${mode} ${query} fail\n`);
    console.log(`FAIL ${client} ${mode} ${query}: ${why.slice(0, 2000)}`);
    return undefined;
  }
}

// The generated TypeScript client, compiled by make interop (ts/dist).
const generatedTS = await import('./ts/dist/run.js').then((m) => m.default ?? m);
const suites = [axiosPlugin, nodeV3, generatedTS];

for (const mode of ['public-key', 'platform-certificate']) {
  const m = await startMock(bin, mode);
  try {
    for (const s of suites) await s.run(m, record);
  } finally {
    await m.stop();
  }
}
