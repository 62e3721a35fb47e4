// Makes the page that `redocly build-docs` wrote self-contained: replaces the <script src>
// that loads Redoc from a CDN with the Redoc bundle installed from package-lock.json, so
// the page works offline and when `wxpay mock` serves it at /docs.
//
//   node inline-redoc.mjs PAGE.html
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const page = process.argv[2];
if (!page) {
  console.error("usage: node inline-redoc.mjs PAGE.html");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const bundlePath = require.resolve("redoc/bundles/redoc.standalone.js");
// A "</script" inside the bundle would end the inline element early.
const bundle = readFileSync(bundlePath, "utf8").replace(/<\/script/gi, "<\\/script");

let html = readFileSync(page, "utf8");
const cdnScript = /<script src="https:\/\/cdn\.redoc(?:ly)?\.(?:com|ly)\/redoc\/[^"]*\/redoc\.standalone\.js"><\/script>/;
if (!cdnScript.test(html)) {
  console.error(`inline-redoc: no CDN <script> for Redoc found in ${page}; did build-docs change its template?`);
  process.exit(1);
}
html = html.replace(cdnScript, () => `<script>${bundle}</script>`);
const leftover = html.match(/<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?\/\/[^"]*"/i);
if (leftover) {
  console.error(`inline-redoc: ${page} still loads a remote resource: ${leftover[0]}`);
  process.exit(1);
}
writeFileSync(page, html);
console.log(`inline-redoc: ${page} is self-contained (${(html.length / 1024).toFixed(0)} KiB)`);
