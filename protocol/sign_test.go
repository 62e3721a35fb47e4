package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// AuthorizationWithSignature writes the same header value as Authorization given Sign's
// text, for every length around the 192-byte pieces it encodes in.
func TestAuthorizationWithSignatureIsAuthorization(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 191, 192, 193, 255, 256, 257, 383, 384, 385, 512} {
		raw := make([]byte, n)
		for i := range raw {
			raw[i] = byte(i*7 + n)
		}
		want := Authorization("1900000100", "3775B6A45ACD588826D15E583A95F5DD", "593BEC0C930BF1AFEB40B4A08C8FB242", 1554208460, base64.StdEncoding.EncodeToString(raw))
		if got := AuthorizationWithSignature("1900000100", "3775B6A45ACD588826D15E583A95F5DD", "593BEC0C930BF1AFEB40B4A08C8FB242", 1554208460, raw); got != want {
			t.Fatalf("%d signature bytes:\n got %s\nwant %s", n, got, want)
		}
	}
}

// NewNonce spells the 16 bytes it reads in upper-case hex, whatever they are.
func TestNewNonceIsHexOfItsBytes(t *testing.T) {
	for _, raw := range [][]byte{bytes.Repeat([]byte{0}, 16), bytes.Repeat([]byte{0xff}, 16),
		[]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"),
		[]byte("\xf0\xe1\xd2\xc3\xb4\xa5\x96\x87\x78\x69\x5a\x4b\x3c\x2d\x1e\x0f")} {
		got, err := NewNonce(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.ToUpper(hex.EncodeToString(raw)); got != want {
			t.Fatalf("NewNonce(%x) = %s, want %s", raw, got, want)
		}
	}
	if _, err := NewNonce(bytes.NewReader(make([]byte, 15))); err == nil {
		t.Fatal("NewNonce with 15 bytes of randomness: no error")
	}
}

func TestSignAllocations(t *testing.T) {
	raw := make([]byte, 256)
	if n := testing.AllocsPerRun(100, func() {
		_ = AuthorizationWithSignature("1900000100", "3775B6A45ACD588826D15E583A95F5DD", "593BEC0C930BF1AFEB40B4A08C8FB242", 1554208460, raw)
	}); n != 1 {
		t.Errorf("AuthorizationWithSignature: %v allocations, want 1 (the string)", n)
	}
	r := bytes.NewReader(nil)
	src := make([]byte, 16)
	if n := testing.AllocsPerRun(100, func() {
		r.Reset(src)
		_, _ = NewNonce(r)
	}); n != 1 {
		t.Errorf("NewNonce: %v allocations, want 1 (the string)", n)
	}
}

// AppendRequestMessage appends exactly RequestMessage after what msg already holds.
func TestAppendRequestMessageAppends(t *testing.T) {
	body := []byte(`{"a":1}`)
	want := RequestMessage("GET", "/v3/x?y=1", -12, "NONCE", body)
	got := AppendRequestMessage([]byte("prefix"), "GET", "/v3/x?y=1", -12, "NONCE", body)
	if string(got) != "prefix"+string(want) {
		t.Errorf("AppendRequestMessage = %q, want %q", got, "prefix"+string(want))
	}
	if string(want) != "GET\n/v3/x?y=1\n-12\nNONCE\n"+string(body)+"\n" {
		t.Errorf("RequestMessage = %q", want)
	}
}
