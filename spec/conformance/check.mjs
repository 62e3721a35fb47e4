// check.mjs — an independent implementation of the WeChat Pay APIv3 protocol, written from
// openapi.yaml's text alone (info.description, "Protocol") with node:crypto and nothing
// else, held to spec/conformance/vectors.json. Run: node spec/conformance/check.mjs
// (make vectors). Exit status 0 when every check passes.
//
// Every key it reads is TEST ONLY (vectors.json "keys"): never use one for anything real.
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const V = JSON.parse(readFileSync(join(here, "vectors.json"), "utf8"));

let pass = 0;
let fail = 0;
function check(name, ok, detail = "") {
  if (ok) {
    pass++;
  } else {
    fail++;
    console.log(`FAIL ${name}${detail ? ": " + detail : ""}`);
  }
}

// ---- the protocol, as the spec states it ----

// Unreserved characters (A-Z a-z 0-9 - . _ ~) stay; every other byte of the UTF-8 value
// becomes %XX with upper-case hex.
function percentEncode(value) {
  let out = "";
  for (const b of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

// URL: the path, plus "?" and the query only when there is a query (never a bare "?").
function requestURL(path, params) {
  const query = params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join("&");
  return query === "" ? path : `${path}?${query}`;
}

// The signing string: METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n (BODY empty for GET).
function signingString(method, url, timestamp, nonce, body) {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

// SHA256withRSA (RSASSA-PKCS1-v1_5, SHA-256) over the UTF-8 bytes, base64 standard with padding.
function sign(privateKeyPem, message) {
  return crypto.sign("sha256", Buffer.from(message, "utf8"), { key: privateKeyPem, padding: crypto.constants.RSA_PKCS1_PADDING }).toString("base64");
}

function authorization(mchid, serialNo, nonce, timestamp, signature) {
  return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${serialNo}",signature="${signature}"`;
}

// Answer verification: only 2xx answers are signed. The four headers must be present; a
// signature starting WECHATPAY/SIGNTEST/ is a probe; the serial must name a key held; the
// timestamp must be within 5 minutes (300 s) of now either way; the signature must verify
// over TIMESTAMP\nNONCE\nBODY\n, BODY being the raw bytes received.
function verifyAnswer(status, headers, body, now, keys) {
  if (status < 200 || status > 299) return "not_signed";
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ts = h["wechatpay-timestamp"], nonce = h["wechatpay-nonce"], sig = h["wechatpay-signature"], serial = h["wechatpay-serial"];
  if (!ts || !nonce || !sig || !serial) return "missing_header";
  if (sig.startsWith("WECHATPAY/SIGNTEST/")) return "probe";
  const key = keys[serial];
  if (!key) return "unknown_serial";
  if (!/^[0-9]+$/.test(ts) || Math.abs(now - Number(ts)) > 300) return "stale";
  const ok = crypto.verify("sha256", Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), Buffer.from(body, "utf8"), Buffer.from("\n")]),
    { key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(sig, "base64"));
  return ok ? "valid" : "bad_signature";
}

// Sensitive fields: RSA-OAEP with SHA-1 and MGF1-SHA-1, no label; base64 standard, padded.
function decryptField(privateKeyPem, ciphertext) {
  return crypto.privateDecrypt({ key: privateKeyPem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    Buffer.from(ciphertext, "base64")).toString("utf8");
}
function encryptField(publicKeyPem, plaintext) {
  return crypto.publicEncrypt({ key: publicKeyPem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    Buffer.from(plaintext, "utf8")).toString("base64");
}

// Certificates: AES-256-GCM; key = the APIv3 key's 32 bytes; nonce and associated_data are
// the UTF-8 bytes of the strings; ciphertext is base64 of ciphertext || 16-byte tag.
function decryptCertificate(apiV3Key, nonce, associatedData, ciphertext) {
  const raw = Buffer.from(ciphertext, "base64");
  const d = crypto.createDecipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"));
  d.setAAD(Buffer.from(associatedData, "utf8"));
  d.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]).toString("utf8");
}

// ---- the checks ----

const K = V.keys;

for (const r of V.request_signing) {
  const ss = signingString(r.method, r.url, r.timestamp, r.nonce, r.body);
  check(`request "${r.name}": signing string`, ss === r.signing_string, JSON.stringify(ss));
  const sig = sign(K.merchant.private_key_pem, ss);
  check(`request "${r.name}": signature`, sig === r.signature);
  check(`request "${r.name}": Authorization`, authorization(K.merchant.mchid, K.merchant.serial_no, r.nonce, r.timestamp, sig) === r.authorization);
  check(`request "${r.name}": PKCS#1 key signs alike`, sign(K.merchant.private_key_pkcs1_pem, ss) === r.signature);
  // The URL rebuilt from its parts: no bare "?", each value percent-encoded.
  const [path, query] = r.url.split("?");
  const params = query === undefined ? [] : query.split("&").map((kv) => kv.split("=").map(decodeURIComponent));
  check(`request "${r.name}": URL rebuilt from path and parameters`, requestURL(path, params) === r.url, requestURL(path, params));
}

const verifyKeys = {
  [K.wechatpay_public_key.public_key_id]: crypto.createPublicKey(K.wechatpay_public_key.public_key_pem),
  [K.platform_certificate.serial_no]: new crypto.X509Certificate(K.platform_certificate.certificate_pem).publicKey,
};
for (const a of V.answer_verification) {
  const got = verifyAnswer(a.status, a.headers, a.body, a.now, verifyKeys);
  check(`answer "${a.name}": ${a.expect}`, got === a.expect, got);
  if (a.signing_string) {
    const h = a.headers;
    check(`answer "${a.name}": signing string`, `${h["Wechatpay-Timestamp"]}\n${h["Wechatpay-Nonce"]}\n${a.body}\n` === a.signing_string);
  }
}

const privateFor = { wechatpay_public_key: K.wechatpay_public_key.private_key_pem, platform_certificate: K.platform_certificate.private_key_pem };
const publicFor = { wechatpay_public_key: K.wechatpay_public_key.public_key_pem, platform_certificate: new crypto.X509Certificate(K.platform_certificate.certificate_pem).publicKey };
for (const o of V.rsa_oaep_decryption) {
  let got;
  try { got = decryptField(privateFor[o.key], o.ciphertext); } catch (e) { got = String(e); }
  check(`OAEP "${o.name}": decrypts`, got === o.plaintext, got);
  const mine = encryptField(publicFor[o.key], o.plaintext);
  check(`OAEP "${o.name}": own ciphertext has the form (base64, padded, one RSA block) and round-trips`,
    mine.length === o.ciphertext.length && mine.endsWith("=") && decryptField(privateFor[o.key], mine) === o.plaintext);
}

for (const q of V.query_encoding) {
  check(`query encoding "${q.name}"`, percentEncode(q.value) === q.encoded, percentEncode(q.value));
}

for (const g of V.aes_256_gcm_decryption) {
  let got, err;
  try { got = decryptCertificate(g.key, g.nonce, g.associated_data, g.ciphertext); } catch (e) { err = e; }
  if (g.expect === "ok") {
    check(`AES-GCM "${g.name}": decrypts`, got === g.plaintext, err && String(err));
    check(`AES-GCM "${g.name}": is the platform certificate`, got !== undefined &&
      new crypto.X509Certificate(got).serialNumber.toUpperCase() === K.platform_certificate.serial_no);
  } else {
    check(`AES-GCM "${g.name}": refused`, err !== undefined);
  }
}

const expectKey = {
  merchant: crypto.createPublicKey(K.merchant.public_key_pem),
  wechatpay_public_key: crypto.createPublicKey(K.wechatpay_public_key.public_key_pem),
  platform_certificate: new crypto.X509Certificate(K.platform_certificate.certificate_pem).publicKey,
};
const der = (k) => k.export({ type: "spki", format: "der" }).toString("base64");
for (const f of V.key_formats) {
  let pub;
  if (f.kind === "private_key") pub = crypto.createPublicKey(crypto.createPrivateKey(f.pem));
  else if (f.kind === "public_key") pub = crypto.createPublicKey(f.pem);
  else pub = new crypto.X509Certificate(f.pem).publicKey;
  check(`key format "${f.name}"`, der(pub) === der(expectKey[f.equals]));
}

console.log(`check.mjs: ${pass} pass, ${fail} fail (node:crypto, from the spec's text, against vectors.json)`);
process.exit(fail === 0 && pass > 0 ? 0 : 1);
