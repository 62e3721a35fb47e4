// wechatpay-axios-plugin, set up as its README shows: a Wechatpay instance with the merchant's
// mchid, serial and private key, and `certs` {serial: key} for its response verifier — the
// WeChat Pay public key in public-key mode, the platform certificate in certificate mode.
import { X509Certificate } from 'node:crypto';
import plugin from 'wechatpay-axios-plugin';
import { check, demo } from './mock.mjs';

const { Wechatpay, Rsa, Aes: { AesGcm } } = plugin;

const channelMchid = '1900016681'; // page 000's example target merchant

function client(m, certs) {
  return new Wechatpay({
    baseURL: m.baseURL,
    mchid: m.env.WXPAY_MCHID,
    serial: m.env.WXPAY_CERT_SERIAL_NO,
    privateKey: m.privateKey,
    certs,
  });
}

// The verification key per mode: {serial: key} and the key that encrypts bal_account_no.
function keysOf(m, platformPem) {
  if (m.mode === 'public-key') {
    return { serial: m.env.WXPAY_PUBLIC_KEY_ID, key: m.publicKey };
  }
  const pem = platformPem ?? m.platformCert;
  return { serial: new X509Certificate(pem).serialNumber, key: pem };
}

// certificates downloads the platform certificates with the SDK (its verifier checks the
// answer against the certificate the merchant holds) and decrypts them with AesGcm and the
// APIv3 key, as the SDK's README says; returns the PEM, checked against the one on disk.
async function certificates(m) {
  const { serial, key } = keysOf(m);
  const wxpay = client(m, { [serial]: key });
  const { status, data } = await wxpay.v3.certificates.get();
  check(status === 200 && Array.isArray(data.data) && data.data.length >= 1, `GET /v3/certificates: ${status}`);
  const c = data.data.find((d) => d.serial_no === serial);
  check(c, `no certificate with serial ${serial} in the list`);
  const { nonce, associated_data: aad, ciphertext } = c.encrypt_certificate;
  const pem = AesGcm.decrypt(ciphertext, m.apiv3Key, nonce, aad);
  check(new X509Certificate(pem).fingerprint256 === new X509Certificate(m.platformCert).fingerprint256, 'downloaded certificate differs from platform_cert.pem');
  return pem;
}

async function ecommerce(m, platformPem) {
  const { serial, key } = keysOf(m, platformPem);
  const wxpay = client(m, { [serial]: key });
  // README: `_placeholder_` segments are filled from the request config.
  const { status, data } = await wxpay.v3.ecommerce.fund.balance._sub_mchid_.get({ sub_mchid: demo.subMchid, params: { account_type: 'BASIC' } });
  check(status === 200 && data.sub_mchid === demo.subMchid && data.available_amount === demo.available && data.pending_amount === demo.pending, `answer ${status} ${JSON.stringify(data)}`);
}

async function channel(m, platformPem) {
  const { serial, key } = keysOf(m, platformPem);
  const wxpay = client(m, { [serial]: key });
  // README FAQ: encrypt sensitive fields with Rsa.encrypt (OAEP) and send the key's serial
  // in Wechatpay-Serial through the request config's headers.
  const ct = Rsa.encrypt(demo.balAccountNo, Rsa.from(key, Rsa.KEY_TYPE_PUBLIC));
  const { status, data } = await wxpay.v3.aggracctBc.wbChannel.account.balance.get({
    params: { mchid: channelMchid, bal_account_no: ct },
    headers: { 'Wechatpay-Serial': serial },
  });
  check(status === 200 && data.balance === demo.balance && data.in_transit_reduction_exist === false, `answer ${status} ${JSON.stringify(data)}`);
}

// A tampered answer must be refused by the SDK's verifier: proves it really verifies.
async function refusesBadSignature(m) {
  const { serial } = keysOf(m);
  const other = Rsa.from((await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }), Rsa.KEY_TYPE_PUBLIC);
  const wxpay = client(m, { [serial]: other });
  try {
    await wxpay.v3.ecommerce.fund.balance._sub_mchid_.get({ sub_mchid: demo.subMchid });
  } catch (e) {
    check(/EV3_RES_HEADER_SIGNATURE_DIGEST|Verify/.test(`${e.code} ${e.message}`), `refused for another reason: ${e.code} ${e.message}`);
    return;
  }
  throw new Error('an answer signed by another key was accepted');
}

export async function run(m, record) {
  let platformPem;
  if (m.mode === 'platform-certificate') {
    platformPem = await record('wechatpay-axios-plugin', m.mode, 'certificates', () => certificates(m));
  }
  await record('wechatpay-axios-plugin', m.mode, 'ecommerce', () => ecommerce(m, platformPem));
  await record('wechatpay-axios-plugin', m.mode, 'channel', () => channel(m, platformPem));
  await record('wechatpay-axios-plugin', m.mode, 'wrong-key-refused', () => refusesBadSignature(m));
}
