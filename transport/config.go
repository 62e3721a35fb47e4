package transport

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// Config holds what a Transport needs: the merchant's identity and signing key, the
// WeChat Pay keys that verify answers, and the HTTP transport to send through.
//
// Config prints redacted: fmt verbs and slog never show keys.
type Config struct {
	// MchID is the calling merchant's ID (商户号), sent in every Authorization header.
	MchID string
	// CertificateSerialNo is the serial number of the merchant API certificate (商户API证书序列号).
	CertificateSerialNo string
	// PrivateKey is the merchant API private key (apiclient_key.pem) that signs every request.
	PrivateKey *rsa.PrivateKey
	// Signer, when set, signs instead of PrivateKey (a key held in a KMS or HSM); its public key must be RSA.
	Signer crypto.Signer

	// WechatPayPublicKeyID is the ID of the WeChat Pay public key (PUB_KEY_ID_…), sent in Wechatpay-Serial.
	WechatPayPublicKeyID string
	// WechatPayPublicKey verifies answers signed under WechatPayPublicKeyID and encrypts sensitive fields.
	// The Transport keeps it: do not modify the key after New.
	WechatPayPublicKey *rsa.PublicKey
	// PlatformCertificates are trusted WeChat Pay platform certificates, selected by serial number (hex);
	// an expired or not-yet-valid certificate is never used.
	PlatformCertificates []*x509.Certificate

	// APIv3Key is the merchant's 32-byte APIv3 key (APIv3密钥). Setting it turns on platform-
	// certificate download from GET /v3/certificates: in the background every
	// CertificateRefresh, and at most once a minute when an answer names an unknown serial.
	// With it, WechatPayPublicKey and PlatformCertificates may both be empty (bootstrapping).
	// Call (*Transport).Close to stop the background refresh. Make it with NewSecret: a Secret
	// prints "[REDACTED]" however it is printed, logged or encoded.
	APIv3Key Secret
	// CertificateRefresh is how often platform certificates are downloaded again; 0 means
	// DefaultCertificateRefresh (12 h). Values below MinCertificateRefresh (1 minute) are
	// refused: each refresh is a signed request to WeChat Pay.
	CertificateRefresh time.Duration

	// Base sends the signed requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Logger receives one record per request and per retry or failover, never secrets; nil discards them.
	Logger *slog.Logger
	// MaxResponseBytes bounds the body read from an answer; 0 means 1 MiB.
	MaxResponseBytes int64

	// MaxAttempts bounds the attempts per request, retries included: 0 means
	// DefaultMaxAttempts (3); 1 disables retries and failover.
	MaxAttempts int
	// AttemptTimeout bounds each attempt, from connecting to the last byte of the answer;
	// 0 leaves only the request's context. A timed-out attempt is retried like a network error.
	AttemptTimeout time.Duration
	// Backoff returns the wait after attempt number n failed; nil means DefaultBackoff.
	// A longer Retry-After from the server wins.
	Backoff func(n int) time.Duration
	// BackupURL is where the next attempt goes after the primary failed with a network
	// error, a timeout or a 5xx. "" means openapi.yaml's backup server
	// (https://api2.mch.weixin.qq.com) for requests to its primary server, and no failover
	// for other hosts.
	BackupURL string
	// FailoverCooldown is how long requests go straight to the backup after the primary
	// failed, before the primary is tried again; 0 means DefaultFailoverCooldown (30 s).
	FailoverCooldown time.Duration
	// RateLimits overrides openapi.yaml's x-wechatpay-rate-limit per operationId; a QPS of 0
	// or less disables that operation's limit.
	RateLimits map[string]RateLimit
	// Limiter enforces the rate limits; nil means a NewLocalLimiter of this Transport's own.
	Limiter Limiter
	// Observer, when set, is told about every call, attempt, retry, failover, verification
	// failure, rate-limit wait and certificate download (module otelwxpay turns it into
	// OpenTelemetry metrics and traces); nil observes nothing, at no cost.
	Observer *Observer
}

const defaultMaxResponseBytes = 1 << 20

func (c *Config) validate() error {
	switch {
	case strings.TrimSpace(c.MchID) == "":
		return &ConfigError{Field: "MchID", Reason: "empty: set the merchant ID (商户号)"}
	case !authorizationSafe(c.MchID):
		return &ConfigError{Field: "MchID", Reason: "not a merchant ID: printable ASCII only, no quotes, commas or spaces"}
	case strings.TrimSpace(c.CertificateSerialNo) == "":
		return &ConfigError{Field: "CertificateSerialNo", Reason: "empty: set the merchant API certificate's serial number (商户API证书序列号)"}
	case !authorizationSafe(c.CertificateSerialNo):
		return &ConfigError{Field: "CertificateSerialNo", Reason: "not a serial number: printable ASCII only, no quotes, commas or spaces"}
	case c.PrivateKey == nil && c.Signer == nil:
		return &ConfigError{Field: "PrivateKey", Reason: "nil: load apiclient_key.pem with LoadPrivateKeyFile (or set Signer)"}
	case c.WechatPayPublicKey == nil && c.WechatPayPublicKeyID != "":
		return &ConfigError{Field: "WechatPayPublicKey", Reason: "nil while WechatPayPublicKeyID is set: load pub_key.pem with LoadPublicKeyFile"}
	case !authorizationSafe(c.WechatPayPublicKeyID):
		return &ConfigError{Field: "WechatPayPublicKeyID", Reason: "not a key ID: printable ASCII only (PUB_KEY_ID_…), no quotes, commas or spaces"}
	case c.WechatPayPublicKey != nil && c.WechatPayPublicKeyID == "":
		return &ConfigError{Field: "WechatPayPublicKeyID", Reason: "empty while WechatPayPublicKey is set: set the key's ID (PUB_KEY_ID_…)"}
	case !c.APIv3Key.IsZero() && c.APIv3Key.Len() != protocol.APIv3KeySize:
		return &ConfigError{Field: "APIv3Key", Reason: fmt.Sprintf("must be %d bytes (the APIv3 key set in the merchant platform)", protocol.APIv3KeySize)}
	case c.CertificateRefresh < 0:
		return &ConfigError{Field: "CertificateRefresh", Reason: "negative duration"}
	case c.CertificateRefresh > 0 && c.CertificateRefresh < MinCertificateRefresh:
		return &ConfigError{Field: "CertificateRefresh", Reason: fmt.Sprintf("%s is below the minimum of %s (MinCertificateRefresh): use 0 for the default of 12 h", c.CertificateRefresh, MinCertificateRefresh)}
	case c.WechatPayPublicKey == nil && len(c.PlatformCertificates) == 0 && c.APIv3Key.IsZero():
		return &ConfigError{Field: "WechatPayPublicKey", Reason: "nil: set WechatPayPublicKeyID and WechatPayPublicKey (or PlatformCertificates, or APIv3Key to download them) to verify WeChat Pay's answers"}
	case c.MaxResponseBytes < 0:
		return &ConfigError{Field: "MaxResponseBytes", Reason: "negative: use 0 for the 1 MiB default"}
	case c.MaxAttempts < 0:
		return &ConfigError{Field: "MaxAttempts", Reason: "negative: use 0 for the default of 3, 1 to disable retries"}
	case c.AttemptTimeout < 0:
		return &ConfigError{Field: "AttemptTimeout", Reason: "negative duration: use 0 to leave only the request's context"}
	case c.FailoverCooldown < 0:
		return &ConfigError{Field: "FailoverCooldown", Reason: "negative duration: use 0 for the default of 30 s"}
	}
	if c.BackupURL != "" {
		if u, err := url.Parse(c.BackupURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return &ConfigError{Field: "BackupURL", Reason: "not a base URL like https://api2.mch.weixin.qq.com"}
		}
	}
	if c.WechatPayPublicKey != nil {
		if _, err := checkRSAPublic("WeChat Pay public key", "", c.WechatPayPublicKey); err != nil {
			return &ConfigError{Field: "WechatPayPublicKey", Reason: err.(*KeyError).Reason}
		}
	}
	if c.PrivateKey != nil && c.Signer == nil {
		if c.PrivateKey.N == nil || c.PrivateKey.N.BitLen() < minKeyBits {
			return &ConfigError{Field: "PrivateKey", Reason: fmt.Sprintf("not an RSA key of at least %d bits", minKeyBits)}
		}
		if err := c.PrivateKey.Validate(); err != nil {
			return &ConfigError{Field: "PrivateKey", Reason: "inconsistent RSA key: load it with LoadPrivateKeyFile"}
		}
	}
	if c.Signer != nil {
		if _, ok := c.Signer.Public().(*rsa.PublicKey); !ok {
			return &ConfigError{Field: "Signer", Reason: "its public key is not RSA: WeChat Pay APIv3 signs with RSA-2048"}
		}
		if _, err := checkRSAPublic("signer's public key", "", c.Signer.Public()); err != nil {
			return &ConfigError{Field: "Signer", Reason: err.(*KeyError).Reason}
		}
	}
	for i, cert := range c.PlatformCertificates {
		if cert == nil {
			return &ConfigError{Field: fmt.Sprintf("PlatformCertificates[%d]", i), Reason: "nil certificate"}
		}
		if _, err := checkRSAPublic("platform certificate", "", cert.PublicKey); err != nil {
			return &ConfigError{Field: fmt.Sprintf("PlatformCertificates[%d]", i), Reason: err.(*KeyError).Reason}
		}
	}
	return nil
}

// authorizationSafe reports whether s can go verbatim into a quoted Authorization field:
// printable ASCII, without the quote and comma that delimit the fields.
func authorizationSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= ' ' || b >= 0x7f || b == '"' || b == ',' {
			return false
		}
	}
	return true
}

// String describes the Config without any key material.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "transport.Config{MchID:%q CertificateSerialNo:%q PrivateKey:%s", c.MchID, c.CertificateSerialNo, redacted(c.PrivateKey != nil))
	if c.Signer != nil {
		b.WriteString(" Signer:[set]")
	}
	fmt.Fprintf(&b, " WechatPayPublicKeyID:%q WechatPayPublicKey:%s PlatformCertificates:%d APIv3Key:%s}",
		c.WechatPayPublicKeyID, redacted(c.WechatPayPublicKey != nil), len(c.PlatformCertificates), redacted(!c.APIv3Key.IsZero()))
	return b.String()
}

// Format prints the Config redacted for every verb, including %+v and %#v.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue logs the Config without any key material.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("mchid", c.MchID),
		slog.String("cert_serial_no", c.CertificateSerialNo),
		slog.String("wechatpay_public_key_id", c.WechatPayPublicKeyID),
		slog.Int("platform_certificates", len(c.PlatformCertificates)),
		slog.Bool("certificate_download", !c.APIv3Key.IsZero()),
	)
}

// MarshalJSON encodes the Config as LogValue logs it: identity and which keys are set,
// never key material (encoding/json would otherwise write out the private key).
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		MchID                string `json:"mchid"`
		CertSerialNo         string `json:"cert_serial_no"`
		PrivateKey           string `json:"private_key"`
		WechatPayPublicKeyID string `json:"wechatpay_public_key_id"`
		WechatPayPublicKey   string `json:"wechatpay_public_key"`
		PlatformCertificates int    `json:"platform_certificates"`
		APIv3Key             string `json:"apiv3_key"`
	}{c.MchID, c.CertificateSerialNo, redacted(c.PrivateKey != nil || c.Signer != nil), c.WechatPayPublicKeyID,
		redacted(c.WechatPayPublicKey != nil), len(c.PlatformCertificates), redacted(!c.APIv3Key.IsZero())})
}

func redacted(set bool) string {
	if set {
		return "[REDACTED]"
	}
	return "<nil>"
}
