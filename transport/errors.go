package transport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ConfigError reports a Config that New cannot work with, naming the field to fix.
type ConfigError struct {
	Field  string // the Config field, e.g. "PrivateKey"
	Reason string // what is wrong and how to fix it
}

// Error says which Config field to fix and how.
func (e *ConfigError) Error() string {
	return "transport: Config." + e.Field + ": " + e.Reason
}

// KeyError reports a key or certificate that could not be loaded; it never contains key material.
type KeyError struct {
	What   string // "merchant private key", "WeChat Pay public key" or "platform certificate"
	Path   string // the file, when loaded from one
	Reason string // what is wrong with it and how to fix it
	Err    error  // the underlying parse error, if any
}

// Error says which key or file could not be loaded and why, without key material.
func (e *KeyError) Error() string {
	var b strings.Builder
	b.WriteString("transport: ")
	b.WriteString(e.What)
	if e.Path != "" {
		fmt.Fprintf(&b, " (%s)", e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying parse error, for errors.Is and errors.As.
func (e *KeyError) Unwrap() error { return e.Err }

// InputError reports a request that openapi.yaml rejects; it is returned before any I/O.
type InputError struct {
	Operation string // operationId, or "" when no operation matched
	Parameter string // the parameter at fault, if any
	In        string // "path", "query" or "header"
	Reason    string // what to fix
}

// Error names the operation and parameter at fault and says what to fix.
func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString("transport: invalid request")
	if e.Operation != "" {
		b.WriteString(" for ")
		b.WriteString(e.Operation)
	}
	if e.Parameter != "" {
		fmt.Fprintf(&b, ": %s parameter %q", e.In, e.Parameter)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Reason names the check of a WeChat Pay answer that failed.
type Reason string

// The reasons a VerificationError gives.
const (
	ReasonMissingHeader Reason = "missing signature header"
	ReasonUnknownSerial Reason = "unknown Wechatpay-Serial"
	ReasonBadTimestamp  Reason = "malformed Wechatpay-Timestamp"
	ReasonStale         Reason = "timestamp outside the 5-minute window"
	ReasonProbe         Reason = "signature probe (WECHATPAY/SIGNTEST/)"
	ReasonBadSignature  Reason = "signature does not match"
	ReasonBodyTooLarge  Reason = "body over the size limit"
	ReasonBodyRead      Reason = "body could not be read"
	ReasonSchema        Reason = "body does not match openapi.yaml"
	// ReasonNotThisAnswer: a body, perhaps genuinely signed, that does not answer this
	// request: an error object under a 2xx status, a body with none of the answer schema's
	// properties, or one whose echoed field (Field) differs from the request's parameter.
	ReasonNotThisAnswer Reason = "not the answer to this request"
	// ReasonExpiredKey: the answer names a configured platform certificate that has expired
	// (or is not valid yet), so it cannot be verified.
	ReasonExpiredKey Reason = "WeChat Pay key out of its validity period"
)

// VerificationError reports a 2xx answer that failed verification; its body was discarded.
type VerificationError struct {
	Reason    Reason // the check that failed
	Header    string // the header at fault, for ReasonMissingHeader
	Field     string // the answer's property at fault, for ReasonNotThisAnswer (e.g. "sub_mchid")
	Serial    string // the Wechatpay-Serial the answer named
	RequestID string // WeChat Pay's Request-ID, for support
	Detail    string // more about the failure; never key material
	Err       error  // the underlying error, if any
}

// Error says which check failed, with the answer's Request-ID. Text from the answer is
// quoted, escaped and cut (MaxEchoedText); Detail is escaped and cut too.
func (e *VerificationError) Error() string {
	var b strings.Builder
	b.WriteString("transport: response not verified: ")
	b.WriteString(string(e.Reason))
	if e.Header != "" {
		fmt.Fprintf(&b, " %s", e.Header)
	}
	if e.Serial != "" && e.Reason == ReasonUnknownSerial {
		b.WriteString(" ")
		b.WriteString(quoteUntrusted(e.Serial))
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(boundText(e.Detail, maxEchoedDetail))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (Request-ID %s)", echoToken(e.RequestID))
	}
	return b.String()
}

// Unwrap returns the underlying error, if any, for errors.Is and errors.As.
func (e *VerificationError) Unwrap() error { return e.Err }

// APIError is a non-2xx answer from WeChat Pay: HTTP status, WeChat's code, message and detail.
// Non-2xx answers are not signature-checked: Code, Message, Detail, RequestID and Header hold
// the answer's text as received, unverified and of any length (up to Config.MaxResponseBytes);
// Error quotes, escapes and cuts it (MaxEchoedText, MaxEchoedMessage), and so should anything
// else that prints it.
type APIError struct {
	StatusCode int             // HTTP status
	Code       string          // WeChat Pay error code, e.g. "NO_AUTH"
	Message    string          // WeChat Pay's description
	Detail     json.RawMessage // WeChat Pay's detail object, if any
	RequestID  string          // Request-ID header, for support
	Header     http.Header     // the answer's headers
}

// Error gives the HTTP status, WeChat Pay's code and quoted message, and the Request-ID,
// each escaped and cut (MaxEchoedText, MaxEchoedMessage): they come from an answer nobody verified.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wxpay: HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(echoToken(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(quoteUntrustedN(e.Message, MaxEchoedMessage))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (Request-ID %s)", echoToken(e.RequestID))
	}
	return b.String()
}

// Temporary reports whether retrying later may succeed — the answers the Transport
// retries itself: HTTP 429 (FREQUENCY_LIMITED in openapi.yaml) and 5xx but 501 (SYSTEM_ERROR).
func (e *APIError) Temporary() bool { return retryableStatus(e.StatusCode) }

// NewAPIError builds an APIError from a non-2xx answer's status, headers and body.
func NewAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Header: header, RequestID: header.Get("Request-ID")}
	var wire struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &wire) == nil {
		e.Code, e.Message, e.Detail = wire.Code, wire.Message, wire.Detail
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// RetryError reports a request that failed after more than one attempt; it wraps the last
// attempt's cause (a network error, or an *APIError for a 5xx or 429 answer).
type RetryError struct {
	Attempts int      // attempts made
	Hosts    []string // the host of each attempt, in order
	Err      error    // the last attempt's cause
}

// Error says how many attempts were made, to which hosts, and the last cause.
func (e *RetryError) Error() string {
	return fmt.Sprintf("transport: gave up after %d attempts (%s): %v", e.Attempts, strings.Join(e.Hosts, ", "), e.Err)
}

// Unwrap returns the last attempt's cause, for errors.Is and errors.As.
func (e *RetryError) Unwrap() error { return e.Err }
