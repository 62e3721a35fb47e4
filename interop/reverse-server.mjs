// The reverse direction: a WeChat Pay stand-in built on wechatpay-axios-plugin's primitives
// (Rsa, Formatter), not on our code, that answers our Go client (interop/reverse_test.go).
// It checks each request's Authorization as WeChat Pay does, decrypts bal_account_no, and
// signs every answer. Configured by REVERSE_CONFIG (JSON); prints "listening URL" when ready.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import plugin from 'wechatpay-axios-plugin';

const { Rsa, Formatter } = plugin;
const cfg = JSON.parse(process.env.REVERSE_CONFIG);
const merchantKey = Rsa.from(readFileSync(cfg.merchantCertFile), Rsa.KEY_TYPE_PUBLIC); // apiclient_cert.pem
const signKey = Rsa.from(readFileSync(cfg.signKeyFile), Rsa.KEY_TYPE_PRIVATE); // the WeChat Pay key we stand for
const wrongKey = Rsa.from(readFileSync(cfg.wrongKeyFile), Rsa.KEY_TYPE_PRIVATE); // a key the client does not trust
const seen = new Set();

// The balance the Go client must decrypt its way to (wxpaytest.DemoBalAccountNo).
const balAccountNo = '8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f';
const wrongKeySubMchid = '1900000666'; // answered under wrongKey: the client must refuse it

function answer(res, status, obj, key = signKey) {
  const body = JSON.stringify(obj);
  const timestamp = Formatter.timestamp();
  const nonce = Formatter.nonce();
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': cfg.signSerial,
    'Wechatpay-Signature': Rsa.sign(Formatter.response(timestamp, nonce, body), key),
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    'Request-ID': `reverse-${nonce}`,
  });
  res.end(body);
}

// checkAuthorization returns why the request's Authorization fails, or '' when it verifies.
function checkAuthorization(req, body) {
  const h = req.headers.authorization ?? '';
  const m = /^WECHATPAY2-SHA256-RSA2048 (.*)$/.exec(h);
  if (!m) return 'scheme';
  const f = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
  if (f.mchid !== cfg.mchid) return 'mchid';
  if ((f.serial_no ?? '').toUpperCase() !== cfg.merchantSerial.toUpperCase()) return 'serial_no';
  if (Math.abs(Formatter.timestamp() - Number(f.timestamp)) > 300) return 'timestamp';
  if (!f.nonce_str || seen.has(f.nonce_str)) return 'nonce replayed';
  // req.url is the request target exactly as sent: the path plus ? and the query.
  if (!Rsa.verify(Formatter.request(req.method, req.url, f.timestamp, f.nonce_str, body), f.signature ?? '', merchantKey)) return 'signature';
  seen.add(f.nonce_str);
  return '';
}

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const why = checkAuthorization(req, body);
    if (why) return answer(res, 401, { code: 'SIGN_ERROR', message: `验证不通过 (${why})` });
    if ((req.headers.accept ?? '') !== 'application/json') return answer(res, 400, { code: 'PARAM_ERROR', message: 'Accept must be application/json' });
    const u = new URL(req.url, 'http://x');
    let m;
    if (req.method === 'GET' && (m = /^\/v3\/ecommerce\/fund\/balance\/(\d+)$/.exec(u.pathname))) {
      const sub = m[1];
      return answer(res, 200, {
        sub_mchid: sub, available_amount: 10000, pending_amount: 1, account_type: u.searchParams.get('account_type') ?? 'BASIC',
      }, sub === wrongKeySubMchid ? wrongKey : signKey);
    }
    if (req.method === 'GET' && u.pathname === '/v3/aggracct-bc/wb-channel/account/balance') {
      if (req.headers['wechatpay-serial'] !== cfg.signSerial) return answer(res, 400, { code: 'PARAM_ERROR', message: `Wechatpay-Serial ${req.headers['wechatpay-serial']}` });
      let plain = '';
      try {
        plain = Rsa.decrypt(u.searchParams.get('bal_account_no') ?? '', signKey);
      } catch (e) {
        return answer(res, 400, { code: 'PARAM_ERROR', message: `bal_account_no does not decrypt: ${e.message}` });
      }
      if (plain !== balAccountNo || u.searchParams.get('mchid') !== '1900016681') return answer(res, 400, { code: 'PARAM_ERROR', message: 'unknown balance account' });
      return answer(res, 200, { in_transit_reduction_exist: false, balance: 1 });
    }
    return answer(res, 404, { code: 'NOT_FOUND', message: `${req.method} ${u.pathname}` });
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
