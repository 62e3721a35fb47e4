// Prints the interop matrix (client × mode × query → pass/fail) from the results file and
// the closing count; exits 1 when any case failed or none ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'results.txt';
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' '));
const w = [0, 0, 0];
for (const r of rows) r.slice(0, 3).forEach((c, i) => { w[i] = Math.max(w[i], c.length); });
const head = ['client', 'mode', 'query'];
head.forEach((c, i) => { w[i] = Math.max(w[i], c.length); });
const line = (cols) => cols.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c)).join('  ');
console.log('\n== interop matrix');
console.log(line([...head, 'result']));
for (const r of rows) console.log(line(r));
const passed = rows.filter((r) => r[3] === 'pass').length;
const failed = rows.length - passed;
console.log(`\ninterop: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || rows.length === 0 ? 1 : 0);
