// The generated TypeScript client (openapi.yaml → @hey-api/openapi-ts) with the middleware of
// wechatpay.ts calls `wxpay mock` for both queries, end to end; in certificate mode it first
// downloads the platform certificate through the generated listCertificates.
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { createClient, createConfig } from './generated/client';
import { listCertificates, queryAccountBalance, queryECommerceBalance } from './generated/sdk.gen';
import { decryptCertificate, encryptField, use, type WechatPayConfig } from './wechatpay';

interface Mock {
  mode: string;
  env: Record<string, string>;
  baseURL: string;
  apiv3Key: string;
  privateKey: Buffer;
  platformCert: Buffer;
  publicKey: Buffer | null;
}
type Record_ = (client: string, mode: string, query: string, fn: () => Promise<unknown>) => Promise<unknown>;

const name = 'hey-api-openapi-ts'; // the generated client + wechatpay.ts

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

function config(m: Mock, verify?: Record<string, string | Buffer>): WechatPayConfig {
  const platformSerial = new X509Certificate(m.platformCert).serialNumber;
  const pk = m.mode === 'public-key';
  return {
    mchid: m.env.WXPAY_MCHID,
    serialNo: m.env.WXPAY_CERT_SERIAL_NO,
    privateKey: m.privateKey,
    wechatpaySerial: pk ? m.env.WXPAY_PUBLIC_KEY_ID : platformSerial,
    verifyKeys: verify ?? (pk ? { [m.env.WXPAY_PUBLIC_KEY_ID]: m.publicKey! } : { [platformSerial]: m.platformCert }),
  };
}

function client(cfg: WechatPayConfig, baseURL: string) {
  const c = createClient(createConfig({ baseUrl: baseURL }));
  use(c, cfg);
  return c;
}

async function certificates(m: Mock): Promise<Record<string, string>> {
  const c = client(config(m), m.baseURL);
  const { data, response } = await listCertificates({ client: c, throwOnError: true });
  check(response.status === 200 && data.data.length >= 1, `GET /v3/certificates: ${response.status}`);
  const keys: Record<string, string> = {};
  for (const cert of data.data) keys[cert.serial_no] = decryptCertificate(m.apiv3Key, cert.encrypt_certificate);
  const want = new X509Certificate(m.platformCert);
  check(keys[want.serialNumber] && new X509Certificate(keys[want.serialNumber]).fingerprint256 === want.fingerprint256, 'downloaded certificate differs from platform_cert.pem');
  return keys;
}

async function ecommerce(m: Mock, downloaded?: Record<string, string>) {
  const c = client(config(m, downloaded), m.baseURL);
  const { data, response } = await queryECommerceBalance({ client: c, throwOnError: true, path: { sub_mchid: '1900000109' }, query: { account_type: 'BASIC' } });
  check(response.status === 200 && data.sub_mchid === '1900000109' && data.available_amount === 10000, `answer ${response.status} ${JSON.stringify(data)}`);
  check(!response.url.includes('?') || response.url.includes('account_type=BASIC'), 'query lost');
}

async function channel(m: Mock, downloaded?: Record<string, string>) {
  const cfg = config(m, downloaded);
  const c = client(cfg, m.baseURL);
  const ct = encryptField(cfg.verifyKeys[cfg.wechatpaySerial], '8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f');
  const { data, response } = await queryAccountBalance({ client: c, throwOnError: true, query: { mchid: '1900016681', bal_account_no: ct } });
  check(response.status === 200 && data.balance === 1 && data.in_transit_reduction_exist === false, `answer ${response.status} ${JSON.stringify(data)}`);
}

async function refusesBadSignature(m: Mock) {
  const cfg = config(m);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  cfg.verifyKeys = { [cfg.wechatpaySerial]: other };
  try {
    await queryECommerceBalance({ client: client(cfg, m.baseURL), throwOnError: true, path: { sub_mchid: '1900000109' } });
  } catch (e) {
    check(e instanceof Error && /does not verify/.test(e.message), `refused for another reason: ${e}`);
    return;
  }
  throw new Error('an answer signed by another key was accepted');
}

export async function run(m: Mock, record: Record_) {
  let downloaded: Record<string, string> | undefined;
  if (m.mode === 'platform-certificate') {
    downloaded = (await record(name, m.mode, 'certificates', () => certificates(m))) as Record<string, string> | undefined;
  }
  await record(name, m.mode, 'ecommerce', () => ecommerce(m, downloaded));
  await record(name, m.mode, 'channel', () => channel(m, downloaded));
  await record(name, m.mode, 'wrong-key-refused', () => refusesBadSignature(m));
}
