package transport

import (
	"fmt"
	"log/slog"
	"strconv"
)

// redactedText is what a Secret prints as, whatever the verb or encoder.
const redactedText = "[REDACTED]"

// Secret holds key material — Config.APIv3Key — so that printing it never shows it: every
// fmt verb (%s %q %v %+v %#v %x %d …), slog (text and JSON handlers), encoding/json and
// encoding.TextMarshaler users see "[REDACTED]". The bytes are held by a closure, which no
// reflection reaches: even where fmt cannot call these methods — a Secret or Config in an
// unexported field of your own struct, printed by reflection, with any verb — fmt shows a
// function's address, never the bytes.
//
// The zero Secret is unset. Make one with NewSecret.
type Secret struct {
	get func() []byte // returns the held bytes (not a copy); nil when unset
}

// NewSecret returns a Secret holding a copy of b (even an empty or nil b makes a set
// Secret, which New then checks like any other value).
func NewSecret(b []byte) Secret {
	c := append(make([]byte, 0, len(b)), b...)
	return Secret{get: func() []byte { return c }}
}

// IsZero reports whether the Secret is unset (the zero Secret).
func (s Secret) IsZero() bool { return s.get == nil }

// Len returns the length of the secret in bytes; 0 when unset.
func (s Secret) Len() int { return len(s.bytes()) }

// Bytes returns a copy of the secret, or nil when unset: for code that must hand the key on
// (a test server sealing with it). Never print or log the result.
func (s Secret) Bytes() []byte {
	if s.get == nil {
		return nil
	}
	return append([]byte(nil), s.get()...)
}

// bytes returns the secret without copying; callers must not modify or keep it.
func (s Secret) bytes() []byte {
	if s.get == nil {
		return nil
	}
	return s.get()
}

// String returns "[REDACTED]", or "<unset>" for the zero Secret.
func (s Secret) String() string {
	if s.get == nil {
		return "<unset>"
	}
	return redactedText
}

// GoString returns a Go-syntax stand-in that shows no key material.
func (s Secret) GoString() string {
	if s.get == nil {
		return "transport.Secret{}"
	}
	return "transport.Secret{" + redactedText + "}"
}

// Format prints the Secret redacted for every verb.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(s.String())))
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(s.GoString()))
	default:
		_, _ = f.Write([]byte(s.String()))
	}
}

// MarshalJSON encodes the Secret as the string "[REDACTED]" (null when unset).
func (s Secret) MarshalJSON() ([]byte, error) {
	if s.get == nil {
		return []byte("null"), nil
	}
	return []byte(`"` + redactedText + `"`), nil
}

// MarshalText encodes the Secret as "[REDACTED]", for encoders and slog handlers that use
// encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue logs the Secret as "[REDACTED]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
