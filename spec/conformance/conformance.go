// Package conformance holds WeChat Pay APIv3 conformance vectors (vectors.json, written
// by ./gen) for the protocol openapi.yaml describes, and loads them for tests: package
// transport (the client) and wxpaytest (the test server) are held to them in Go, and
// check.mjs holds an implementation in node:crypto, written from the spec's text, to them.
//
// Every key in vectors.json and testkeys/ is TEST ONLY and published: never use one for
// anything real.
package conformance

import (
	_ "embed"
	"encoding/json"
)

//go:embed vectors.json
var vectorsJSON []byte

// Load parses the embedded vectors.json.
func Load() (*Vectors, error) {
	var v Vectors
	if err := json.Unmarshal(vectorsJSON, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Vectors is vectors.json.
type Vectors struct {
	Comment    []string        `json:"comment"`
	Keys       Keys            `json:"keys"`
	Requests   []Request       `json:"request_signing"`
	Answers    []Answer        `json:"answer_verification"`
	OAEP       []OAEP          `json:"rsa_oaep_decryption"`
	AEAD       []AEAD          `json:"aes_256_gcm_decryption"`
	KeyFormats []KeyFormat     `json:"key_formats"`
	Percent    []QueryEncoding `json:"query_encoding"`
}

// Count returns the number of vectors.
func (v *Vectors) Count() int {
	return len(v.Requests) + len(v.Answers) + len(v.OAEP) + len(v.AEAD) + len(v.KeyFormats) + len(v.Percent)
}

// Keys are the TEST ONLY keys every vector uses.
type Keys struct {
	Note     string `json:"note"`
	Merchant struct {
		MchID          string `json:"mchid"`
		SerialNo       string `json:"serial_no"`
		PrivateKeyPEM  string `json:"private_key_pem"`
		PrivateKeyPKCS string `json:"private_key_pkcs1_pem"`
		PublicKeyPEM   string `json:"public_key_pem"`
	} `json:"merchant"`
	WechatPay struct {
		PublicKeyID   string `json:"public_key_id"`
		PublicKeyPEM  string `json:"public_key_pem"`
		PrivateKeyPEM string `json:"private_key_pem"`
	} `json:"wechatpay_public_key"`
	Platform struct {
		SerialNo       string `json:"serial_no"`
		CertificatePEM string `json:"certificate_pem"`
		PrivateKeyPEM  string `json:"private_key_pem"`
	} `json:"platform_certificate"`
	APIv3Key string `json:"apiv3_key"`
}

// Request is a request-signing vector.
type Request struct {
	Name string `json:"name"`
	// Operation is the openapi.yaml operationId the request is valid for ("" for a request
	// that only exercises the signing functions, e.g. one with a body).
	Operation     string `json:"operation,omitempty"`
	Method        string `json:"method"`
	URL           string `json:"url"` // path, plus ?query only when there is one: exactly as sent
	Timestamp     int64  `json:"timestamp"`
	Nonce         string `json:"nonce"`
	Body          string `json:"body"`
	SigningString string `json:"signing_string"`
	Signature     string `json:"signature"`
	Authorization string `json:"authorization"`
}

// Answer is an answer-verification vector.
type Answer struct {
	Name    string            `json:"name"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Now     int64             `json:"now"` // the verifier's clock, Unix seconds
	// SigningString is what the signature covers (for 2xx answers).
	SigningString string `json:"signing_string,omitempty"`
	// Expect is valid, bad_signature, probe, stale, unknown_serial, or not_signed (a
	// non-2xx answer: delivered as an error answer, no signature to check).
	Expect string `json:"expect"`
}

// OAEP is an RSA-OAEP decryption vector (a sensitive field).
type OAEP struct {
	Name       string `json:"name"`
	Key        string `json:"key"`    // wechatpay_public_key or platform_certificate
	Serial     string `json:"serial"` // what the request sends in Wechatpay-Serial
	Plaintext  string `json:"plaintext"`
	Ciphertext string `json:"ciphertext"` // base64 (standard, padded) of RSA-OAEP(SHA-1, MGF1-SHA-1, no label)
}

// AEAD is an AES-256-GCM decryption vector (a downloaded platform certificate).
type AEAD struct {
	Name           string `json:"name"`
	Key            string `json:"key"` // the APIv3 key: its 32 bytes (ASCII) are the AES-256 key
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`           // UTF-8 bytes are the GCM nonce (12)
	AssociatedData string `json:"associated_data"` // UTF-8 bytes are the GCM additional data
	Ciphertext     string `json:"ciphertext"`      // base64 of GCM ciphertext || 16-byte tag
	Plaintext      string `json:"plaintext,omitempty"`
	Expect         string `json:"expect"` // ok or auth_failed
}

// KeyFormat is one key in one of the PEM forms the protocol uses.
type KeyFormat struct {
	Name   string `json:"name"`
	PEM    string `json:"pem"`
	Kind   string `json:"kind"`   // private_key, public_key or certificate
	Equals string `json:"equals"` // the keys entry this is the same key as
}

// QueryEncoding is a query value and its percent-encoded form.
type QueryEncoding struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Encoded is the value as it must appear in the query: every byte outside
	// A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex).
	Encoded string `json:"encoded"`
}
