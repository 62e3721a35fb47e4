// Package wxpaytest is a fake WeChat Pay APIv3 for tests, in the manner of net/http/httptest.
//
// NewServer starts a loopback server with fresh keys: a merchant key pair, a WeChat Pay key
// pair with a PUB_KEY_ID_… ID and a self-signed platform certificate (see Keys). Client
// returns an *http.Client whose transport.Transport signs for that merchant and verifies the
// server's answers; TransportConfig returns the same settings for a client built by hand.
// AddMerchant makes the server accept more merchant identities (a service provider's
// many merchants), each checked against its own serial and key.
// Callers should call Close when done.
//
// The server is driven by the embedded openapi.yaml (through package generated/server,
// generated from it by oapi-codegen): requests are routed and validated against the spec with
// kin-openapi, and the answers are checked against the spec before they are sent. For every
// request it checks what WeChat Pay checks, in this order:
//
//   - Authorization: scheme, fields, mchid, serial_no (hex, in any case), the 5-minute window,
//     the SHA256withRSA signature over METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n, and no replayed
//     nonce → 401 SIGN_ERROR;
//   - the route: an operation of openapi.yaml → else 404 NOT_FOUND (405 for a wrong method);
//   - Accept: absent, or allowing application/json (*/*, application/*, a list that includes
//     it) → else 400 PARAM_ERROR naming the header;
//   - Wechatpay-Serial names the WeChat Pay public key ID (exactly) or a platform certificate
//     serial (in any case) it holds, where the operation's security requirement or an
//     encrypted field calls for one → else 400 PARAM_ERROR;
//   - the parameters against their schemas → 400 PARAM_ERROR, naming the parameter in the
//     message and in detail (field, location, value, issue);
//   - fields marked x-wechatpay-encrypted decrypt (RSA-OAEP, SHA-1) with the key named by
//     Wechatpay-Serial → else 400 PARAM_ERROR.
//
// Then a queued Fault, if any, and the handler, which answers from the balances set with
// SetECommerceBalance and SetAccountBalance: an unknown sub-merchant gets 403 NO_AUTH, an
// account type not opened 400 INVALID_REQUEST, as the docs say; the channel quota is held per
// target merchant (mchid) and balance account (bal_account_no), as 查询渠道额度 describes. GET /v3/certificates lists
// the platform certificates encrypted with Keys.APIv3Key
// (AEAD_AES_256_GCM). Every answer, errors included, is signed like WeChat Pay's
// (Wechatpay-Timestamp, -Nonce, -Signature, -Serial, -Signature-Type and Request-ID) with the
// key the request named in Wechatpay-Serial (SignWith overrides it, except for
// GET /v3/certificates naming a key the server holds); an answer to a request that names none
// is signed with the public key, or for GET /v3/certificates with the platform key.
// Requests returns the request log, with decrypted fields and attempt counts.
//
// The server stays bounded however long it runs: the request log keeps the newest
// DefaultRequestLogSize requests (WithRequestLogSize), counting the dropped ones in
// DroppedRequests; connections that do not send their headers within
// DefaultReadHeaderTimeout or idle beyond DefaultIdleTimeout are closed, and headers over
// DefaultMaxHeaderBytes are refused with 431 (WithReadHeaderTimeout, WithIdleTimeout,
// WithMaxHeaderBytes).
//
// Error codes and their wording come from openapi.yaml: every error answer's message is the
// description its x-wechatpay-errors rows give the code for the operation and status (the
// operation's current page first), followed by what exactly was wrong; a Fault with no Code
// gets the first code listed for its Status.
//
// Unless WithoutDemoData is given, the server holds the docs' example data: sub-merchant
// 1900000109 with a BASIC account (available 10000, pending 1) and balance account
// 8609cb22…8d9f with balance 1 and no reduction in transit, under target merchant 1900016681
// (the page's example) and under the server's own merchant (Keys.MchID).
//
// Key rotation: RotatePlatformCertificate adds a platform certificate, lists it at
// GET /v3/certificates (encrypted with Keys.APIv3Key) and signs every answer with it — but
// the certificate list itself with the key the request names, which the client already trusts.
//
// What it does not emulate: TLS (it serves plain HTTP); rate limits (x-wechatpay-rate-limit;
// queue a 429 Fault instead); the User-Agent header rule; request bodies (all
// operations are GETs); the relation between the caller's mchid and the queried merchants
// beyond the balances set; the retirement of platform certificates (rotated-out ones stay
// listed and valid, and none expires within five years); rotation of the WeChat Pay public
// key (PUB_KEY_ID_…), the merchant API certificate or the APIv3 key; and WeChat Pay's exact
// error wording beyond the descriptions in openapi.yaml (a path or method that is not in
// the spec gets 404 NOT_FOUND or 405 INVALID_REQUEST, which the spec does not document).
// Encrypted fields are only decrypted in the query, the only place openapi.yaml puts them.
package wxpaytest
