// Package protocol is WeChat Pay APIv3's wire protocol as pure functions over bytes: the
// message a request signature covers (RequestMessage, AppendRequestMessage) and the Authorization header that
// carries it (Sign, Authorization, NewNonce, AuthScheme); the message an answer's signature
// covers (ResponseMessage), its headers (HeaderTimestamp, …) and limits (MaxClockSkew,
// ProbePrefix); RSA-OAEP encryption of sensitive fields (EncryptOAEP) and AEAD_AES_256_GCM
// decryption of what WeChat Pay encrypts with the APIv3 key (DecryptAEAD); and the names
// of openapi.yaml's vendor extensions (ExtEncrypted, ExtRateLimit, ExtEcho).
//
// Package transport wires them into an http.RoundTripper (and verifies answers with
// transport.VerifyResponse); most code needs only transport or package wxpay. Use protocol
// to sign or check a request by hand, or from another HTTP stack. Package wxpaytest does
// not use it: the fake WeChat Pay implements the protocol independently, so that each
// checks the other.
package protocol
