package transport

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxEchoedText bounds the text from an answer not (yet) verified — a serial number, an
// error code, a header such as Request-ID — that an error or a log record echoes: at most
// this many bytes of escaped text, then "…" and the original length. The text is quoted,
// with newlines, ANSI escapes, other non-printable runes and invalid UTF-8 escaped as in a
// Go string literal, so it can neither forge log lines nor drive a terminal.
const MaxEchoedText = 64

// MaxEchoedMessage is MaxEchoedText for an error answer's message (APIError.Message), which
// is prose, often Chinese (3 bytes a character), and worth more room.
const MaxEchoedMessage = 4 * MaxEchoedText

// maxEchoedDetail bounds a VerificationError's Detail, a sentence of ours that may carry
// pieces of an answer (a schema checker's message, a failed download's error).
const maxEchoedDetail = 6 * MaxEchoedText

// maxToken is the longest text echoed bare by echoToken.
const maxToken = 64

// quoteUntrusted returns s as a quoted, escaped string of at most MaxEchoedText bytes
// between its quotes; a cut string is followed by "…(N bytes)".
func quoteUntrusted(s string) string { return quoteUntrustedN(s, MaxEchoedText) }

// quoteUntrustedN is quoteUntrusted with room for n bytes.
func quoteUntrustedN(s string, n int) string {
	b := make([]byte, 0, min(len(s), n)+24)
	b = append(b, '"')
	b, cut := appendEscaped(b, s, n, true)
	b = append(b, '"')
	if cut {
		b = fmt.Appendf(b, "…(%d bytes)", len(s))
	}
	return string(b)
}

// echoToken returns s bare when it is a short plain token — letters, digits, '_', '-', '.',
// like an error code or a Request-ID — or empty, and quoteUntrusted(s) otherwise.
func echoToken(s string) string {
	if len(s) > maxToken {
		return quoteUntrusted(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return quoteUntrusted(s)
		}
	}
	return s
}

// boundText escapes the non-printable runes of s (leaving quotes alone) and cuts it to at
// most n bytes, marking a cut with "…".
func boundText(s string, n int) string {
	b, cut := appendEscaped(make([]byte, 0, min(len(s), n)+4), s, n, false)
	if cut {
		b = append(b, "…"...)
	}
	return string(b)
}

// appendEscaped appends s to b escaped as inside a Go string literal (quotes and
// backslashes too, when quotes is set), stopping before the escaped text would pass n
// bytes; it reports whether it stopped early.
func appendEscaped(b []byte, s string, n int, quotes bool) ([]byte, bool) {
	start := len(b)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case !quotes && (r == '"' || r == '\\'):
		case !strconv.IsPrint(r) || r == '"' || r == '\\':
			q := strconv.Quote(piece)
			piece = q[1 : len(q)-1]
		}
		if len(b)-start+len(piece) > n {
			return b, true
		}
		b = append(b, piece...)
		i += size
	}
	return b, false
}
