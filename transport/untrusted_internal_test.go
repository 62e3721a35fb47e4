package transport

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuoteUntrusted(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "\"\"",
		"PARAM_ERROR":                     `"PARAM_ERROR"`,
		"a\nb\r\x1b[31m\u202e\xff\"\\ 参数": `"a\nb\r\x1b[31m\u202e\xff\"\\ 参数"`,
	} {
		if got := quoteUntrusted(in); got != want {
			t.Errorf("quoteUntrusted(%q) = %s, want %s", in, got, want)
		}
	}
	long := strings.Repeat("参", 100) // 300 bytes
	got := quoteUntrusted(long)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, `"…(300 bytes)`) || len(got) > MaxEchoedText+len(`""…(300 bytes)`) {
		t.Errorf("quoteUntrusted of 300 bytes = %s (%d bytes)", got, len(got))
	}
	esc := quoteUntrusted(strings.Repeat("\x1b", 1000)) // each byte escapes to 4: never split one
	if !strings.HasPrefix(esc, `"\x1b\x1b`) || !strings.HasSuffix(esc, `\x1b"…(1000 bytes)`) || len(esc) > MaxEchoedText+20 {
		t.Errorf("quoteUntrusted of 1000 ESC = %s", esc)
	}
	for in, want := range map[string]string{
		"PARAM_ERROR":                        "PARAM_ERROR",
		"08F78BB5AF0610D302A8F2D15628A3FE5E": "08F78BB5AF0610D302A8F2D15628A3FE5E",
		"NO AUTH":                            `"NO AUTH"`,
		"X\n":                                `"X\n"`,
		"":                                   "",
		strings.Repeat("A", maxToken+1):      `"` + strings.Repeat("A", MaxEchoedText) + `"…(65 bytes)`,
	} {
		if got := echoToken(in); got != want {
			t.Errorf("echoToken(%q) = %s, want %s", in, got, want)
		}
	}
	if got := boundText("say \"hi\"\n\x1b", 100); got != `say "hi"\n\x1b` {
		t.Errorf("boundText = %s", got)
	}
	if got := boundText(strings.Repeat("x", 10), 4); got != "xxxx…" {
		t.Errorf("boundText cut = %s", got)
	}
}
