// A WeChat Pay APIv3 middleware for the client @hey-api/openapi-ts generates from
// openapi.yaml, written from the spec's own text (info.description "Protocol", the
// WechatPayAuthorization and WechatPaySerial security schemes, the Wechatpay-* answer
// headers, x-wechatpay-encrypted) with node:crypto alone — what another language's team
// writes when all it has is the spec.
import { createDecipheriv, createPublicKey, publicEncrypt, randomBytes, sign, verify, constants, type KeyObject } from 'node:crypto';
import type { Client } from './generated/client';

export interface WechatPayConfig {
  mchid: string; // the calling merchant (mchid="…")
  serialNo: string; // the merchant API certificate's serial (serial_no="…")
  privateKey: KeyObject | string | Buffer; // the merchant API private key (PEM)
  wechatpaySerial: string; // Wechatpay-Serial: the public key ID or platform certificate serial we hold
  // Verification keys by Wechatpay-Serial: the WeChat Pay public key or platform certificates.
  verifyKeys: Record<string, KeyObject | string | Buffer>;
  now?: () => number; // Unix seconds
}

export class VerificationError extends Error {}

// "WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,timestamp=…,serial_no=…,signature=…" where
// signature is base64 SHA256withRSA over "METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n", URL the
// path plus ? and the query exactly as sent (no ? when there is no query), BODY empty for GET.
export function authorization(cfg: WechatPayConfig, method: string, url: string, body: string, timestamp: string, nonce: string): string {
  const message = `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
  const signature = sign('sha256', Buffer.from(message, 'utf8'), cfg.privateKey).toString('base64');
  return `WECHATPAY2-SHA256-RSA2048 mchid="${cfg.mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${cfg.serialNo}",signature="${signature}"`;
}

// A sensitive field (x-wechatpay-encrypted): RSA-OAEP with SHA-1 and MGF1-SHA-1 under the
// key named by Wechatpay-Serial, base64 (standard alphabet, padded).
export function encryptField(key: KeyObject | string | Buffer, plaintext: string): string {
  return publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plaintext, 'utf8')).toString('base64');
}

// A downloaded platform certificate: AEAD_AES_256_GCM with the APIv3 key; ciphertext is
// base64 of ciphertext followed by the 16-byte tag; nonce and associated_data as UTF-8.
export function decryptCertificate(apiv3Key: string, c: { nonce: string; associated_data: string; ciphertext: string }): string {
  const raw = Buffer.from(c.ciphertext, 'base64');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(apiv3Key, 'utf8'), Buffer.from(c.nonce, 'utf8'));
  d.setAAD(Buffer.from(c.associated_data, 'utf8'));
  d.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]).toString('utf8');
}

// verifyAnswer checks Wechatpay-Signature: SHA256withRSA over "TIMESTAMP\nNONCE\nBODY\n"
// with the key Wechatpay-Serial names; a timestamp more than 5 minutes from now and a
// WECHATPAY/SIGNTEST/ probe fail.
export function verifyAnswer(cfg: WechatPayConfig, headers: Headers, body: string): void {
  const ts = headers.get('Wechatpay-Timestamp');
  const nonce = headers.get('Wechatpay-Nonce');
  const signature = headers.get('Wechatpay-Signature');
  const serial = headers.get('Wechatpay-Serial');
  if (!ts || !nonce || !signature || !serial) throw new VerificationError('answer is not signed (Wechatpay-* headers missing)');
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) throw new VerificationError('signature probe');
  const now = cfg.now ? cfg.now() : Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > 300) throw new VerificationError(`Wechatpay-Timestamp ${ts} is more than 5 minutes from now`);
  const key = cfg.verifyKeys[serial];
  if (!key) throw new VerificationError(`no verification key for Wechatpay-Serial ${serial}`);
  const ok = verify('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`, 'utf8'), createPublicKey(key), Buffer.from(signature, 'base64'));
  if (!ok) throw new VerificationError('Wechatpay-Signature does not verify');
}

// use wires the middleware into a generated client: Accept: application/json, the
// Wechatpay-Serial security scheme through the client's auth callback (only operations whose
// security lists it send it), a fresh signature per request, and every answer verified
// before the client parses it.
export function use(client: Client, cfg: WechatPayConfig): void {
  client.setConfig({
    headers: { Accept: 'application/json' },
    auth: (a) => (a.name === 'Wechatpay-Serial' ? cfg.wechatpaySerial : undefined),
  });
  client.interceptors.request.use(async (request: Request) => {
    const u = new URL(request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.clone().text();
    const timestamp = String(cfg.now ? cfg.now() : Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex').toUpperCase();
    request.headers.set('Authorization', authorization(cfg, request.method, u.pathname + u.search, body, timestamp, nonce));
    return request;
  });
  client.interceptors.response.use(async (response: Response) => {
    const body = await response.clone().text();
    verifyAnswer(cfg, response.headers, body);
    return response;
  });
}
