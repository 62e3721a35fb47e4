// wechatpay-node-v3, set up as its README shows: new WxPay({appid, mchid, publicKey:
// apiclient_cert.pem, privateKey}) — serial_no is read from the certificate (lower-case hex) —
// requests signed with getSignature/getAuthorization and sent with superagent, answers
// checked with verifySign. The SDK fetches platform certificates from a fixed production URL
// through its pluggable HTTP service (createHttp, documented in its README): ours sends them
// to the mock on loopback and refuses any other host, so nothing leaves the machine.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import superagent from 'superagent';
import WxPayModule from 'wechatpay-node-v3';
import { check, demo } from './mock.mjs';

const WxPay = WxPayModule.default ?? WxPayModule;
const production = 'https://api.mch.weixin.qq.com';
const channelMchid = '1900016681';

// LoopbackHTTP is an IPayRequest that answers the SDK's own calls from the mock.
class LoopbackHTTP {
  constructor(baseURL) { this.baseURL = baseURL; }

  rewrite(url) {
    if (!url.startsWith(production + '/')) throw new Error(`wechatpay-node-v3 tried to reach ${url}`);
    return this.baseURL + url.slice(production.length);
  }

  async get(url, headers) {
    try {
      const r = await superagent.get(this.rewrite(url)).set(headers);
      return { status: r.status, data: r.body };
    } catch (e) {
      return { status: e.status, error: e.response?.text };
    }
  }

  async post() { throw new Error('not used'); }

  async upload() { throw new Error('not used'); }
}

function pay(m) {
  const p = new WxPay({
    appid: 'wx0000000000000000',
    mchid: m.env.WXPAY_MCHID,
    publicKey: m.merchantCert, // README: apiclient_cert.pem; serial_no comes from it
    privateKey: m.privateKey,
    key: m.apiv3Key,
  });
  p.createHttp(new LoopbackHTTP(m.baseURL));
  return p;
}

// get sends a signed GET as the README does, and verifies the answer with verifySign.
async function get(m, p, path, headers = {}) {
  const nonce = randomBytes(16).toString('hex');
  const timestamp = Math.floor(Date.now() / 1000).toString();
  const signature = p.getSignature('GET', nonce, timestamp, path);
  const authorization = p.getAuthorization(nonce, timestamp, signature);
  const r = await superagent.get(m.baseURL + path).set({
    Accept: 'application/json',
    'User-Agent': 'wxpay-interop',
    Authorization: authorization,
    ...headers,
  });
  const ok = await p.verifySign({
    timestamp: r.headers['wechatpay-timestamp'],
    nonce: r.headers['wechatpay-nonce'],
    serial: r.headers['wechatpay-serial'],
    signature: r.headers['wechatpay-signature'],
    body: r.text,
    apiSecret: m.apiv3Key,
  });
  check(ok === true, `verifySign rejected the answer (serial ${r.headers['wechatpay-serial']})`);
  return r;
}

// The key that encrypts bal_account_no and its serial: the public key, or in certificate
// mode the platform certificate the SDK downloaded (its Pay.certificates table).
function encryptionKey(m) {
  if (m.mode === 'public-key') return { serial: m.env.WXPAY_PUBLIC_KEY_ID, key: m.publicKey };
  const serial = new X509Certificate(m.platformCert).serialNumber;
  return { serial, key: m.platformCert };
}

function reset(m) {
  // Pay.certificates is the SDK's (static) table of verification keys by serial. The SDK
  // has no public-key mode: in that mode we give its table the WeChat Pay public key under
  // its ID; in certificate mode it starts empty and the SDK downloads the certificates.
  WxPay.certificates = {};
  if (m.mode === 'public-key') WxPay.certificates[m.env.WXPAY_PUBLIC_KEY_ID] = m.publicKey.toString();
}

async function certificates(m) {
  reset(m);
  const p = pay(m);
  const list = await p.get_certificates(m.apiv3Key);
  check(Array.isArray(list) && list.length >= 1, 'no certificates');
  const want = new X509Certificate(m.platformCert);
  const c = list.find((x) => x.serial_no.toUpperCase() === want.serialNumber.toUpperCase());
  check(c && c.publicKey.replace(/\s/g, '') === want.publicKey.export({ type: 'spki', format: 'pem' }).replace(/\s/g, ''), 'downloaded certificate differs from platform_cert.pem');
}

async function ecommerce(m) {
  reset(m);
  const p = pay(m);
  check(p.serial_no === p.serial_no.toLowerCase(), 'expected the SDK to derive a lower-case serial_no');
  const r = await get(m, p, `/v3/ecommerce/fund/balance/${demo.subMchid}?account_type=BASIC`);
  check(r.body.sub_mchid === demo.subMchid && r.body.available_amount === demo.available, `answer ${r.text}`);
}

async function channel(m) {
  reset(m);
  const p = pay(m);
  const { serial, key } = encryptionKey(m);
  const ct = p.publicEncrypt(demo.balAccountNo, key); // RSA-OAEP (SHA-1), base64
  const r = await get(m, p, `/v3/aggracct-bc/wb-channel/account/balance?mchid=${channelMchid}&bal_account_no=${encodeURIComponent(ct)}`, { 'Wechatpay-Serial': serial });
  check(r.body.balance === demo.balance && r.body.in_transit_reduction_exist === false, `answer ${r.text}`);
}

async function refusesBadSignature(m) {
  reset(m);
  const p = pay(m);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
  const serial = m.mode === 'public-key' ? m.env.WXPAY_PUBLIC_KEY_ID : new X509Certificate(m.platformCert).serialNumber;
  WxPay.certificates[serial] = other;
  try {
    await get(m, p, `/v3/ecommerce/fund/balance/${demo.subMchid}`);
  } catch (e) {
    check(/verifySign rejected/.test(e.message), `refused for another reason: ${e.message}`);
    return;
  }
  throw new Error('an answer signed by another key was accepted');
}

export async function run(m, record) {
  if (m.mode === 'platform-certificate') {
    await record('wechatpay-node-v3', m.mode, 'certificates', () => certificates(m));
  }
  await record('wechatpay-node-v3', m.mode, 'ecommerce', () => ecommerce(m));
  await record('wechatpay-node-v3', m.mode, 'channel', () => channel(m));
  await record('wechatpay-node-v3', m.mode, 'wrong-key-refused', () => refusesBadSignature(m));
}
