package protocol

// The vendor extensions of openapi.yaml that the protocol reads.

// ExtEncrypted marks a parameter whose value must be encrypted (see EncryptOAEP).
const ExtEncrypted = "x-wechatpay-encrypted"

// ExtRateLimit marks an operation's documented rate limit: {qps, key, in, description}.
const ExtRateLimit = "x-wechatpay-rate-limit"

// ExtEcho marks, on a 2xx answer's schema, the properties that repeat a request parameter
// (see openapi.yaml's "Vendor extensions"): {PROPERTY: {in, name}}.
const ExtEcho = "x-wechatpay-echo"
