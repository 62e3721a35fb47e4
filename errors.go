package wxpay

import "github.com/wxpay-oapi/wxpay/transport"

// The errors a call can return, for errors.As without importing package transport; each is
// the transport type of the same name.
type (
	// InputError: the request breaks openapi.yaml; nothing was sent.
	InputError = transport.InputError
	// VerificationError: a 2xx answer failed verification; its body was discarded.
	VerificationError = transport.VerificationError
	// RetryError: every attempt failed; Unwrap gives the last cause.
	RetryError = transport.RetryError
	// ConfigError: NewClient (transport.New) cannot work with a Config field.
	ConfigError = transport.ConfigError
	// KeyError: a key or certificate could not be loaded.
	KeyError = transport.KeyError
	// Reason names the check a VerificationError failed.
	Reason = transport.Reason
)

// The reasons a VerificationError gives (see transport.Reason).
const (
	ReasonMissingHeader = transport.ReasonMissingHeader
	ReasonUnknownSerial = transport.ReasonUnknownSerial
	ReasonBadTimestamp  = transport.ReasonBadTimestamp
	ReasonStale         = transport.ReasonStale
	ReasonProbe         = transport.ReasonProbe
	ReasonBadSignature  = transport.ReasonBadSignature
	ReasonBodyTooLarge  = transport.ReasonBodyTooLarge
	ReasonBodyRead      = transport.ReasonBodyRead
	ReasonSchema        = transport.ReasonSchema
	ReasonNotThisAnswer = transport.ReasonNotThisAnswer
	ReasonExpiredKey    = transport.ReasonExpiredKey
)
