package transport_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
)

// hostile is 200 KB of the text an attacker would like echoed: line breaks that forge log
// lines, ANSI escapes that drive a terminal, a bidi override, invalid UTF-8.
var hostile = strings.Repeat("AB\n\r\x1b[31mFAKE LOG LINE\x1b[0m\u202e\xff", 200_000/28)

// checkEchoed fails t when text (an error string or log output) echoes the hostile text
// raw or at length.
func checkEchoed(t *testing.T, what, text string, limit int) {
	t.Helper()
	if len(text) > limit {
		t.Errorf("%s is %d bytes, want at most %d: %.200q…", what, len(text), limit, text)
	}
	if strings.ContainsAny(text, "\n\r\x1b\u202e") && what != "log" || strings.Contains(text, "\x1b") || strings.Contains(text, "\u202e") {
		t.Errorf("%s echoes raw control text: %.200q…", what, text)
	}
}

// TestUnverifiedTextIsQuotedEscapedAndCut: text from an answer nobody verified reaches the
// caller's error and the log quoted, escaped and cut to transport.MaxEchoedText.
func TestUnverifiedTextIsQuotedEscapedAndCut(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	mux := http.NewServeMux()
	// An unsigned certificate list whose serial_no is the hostile text.
	mux.HandleFunc("GET /v3/certificates", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]any{"data": []any{map[string]any{
			"serial_no": hostile, "effective_time": "2024-01-01T00:00:00+08:00", "expire_time": "2099-01-01T00:00:00+08:00",
			"encrypt_certificate": map[string]any{"algorithm": "AEAD_AES_256_GCM", "nonce": "0123456789ab", "associated_data": "certificate", "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA=="},
		}}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	// An error answer whose code and message are hostile, and whose Request-ID is long.
	mux.HandleFunc("GET /v3/ecommerce/fund/balance/1900000109", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]string{"code": hostile, "message": hostile})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-ID", strings.Repeat("R", 100_000))
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(body)
	})
	// A 200 answer under a hostile (printable: header values cannot carry line breaks) serial.
	mux.HandleFunc("GET /v3/ecommerce/fund/balance/1900000110", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Wechatpay-Serial", strings.Repeat("S\"'\\", 50_000))
		w.Header().Set("Wechatpay-Timestamp", "1")
		w.Header().Set("Wechatpay-Nonce", "n")
		w.Header().Set("Wechatpay-Signature", "c2ln")
		_, _ = w.Write([]byte(`{"available_amount":1}`))
	})
	evil := httptest.NewServer(mux)
	defer evil.Close()

	t.Run("certificate list", func(t *testing.T) {
		c, logs := clientFor(t, srv, evil.URL, func(cfg *transport.Config) {
			cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil // bootstrapping
			cfg.APIv3Key = sharedKeys(t).APIv3Key
		})
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		if err == nil {
			t.Fatal("a hostile certificate list was accepted")
		}
		t.Logf("error of %d bytes: %s", len(err.Error()), err)
		checkEchoed(t, "error", err.Error(), 300)
		t.Logf("log of %d bytes", len(logs.String()))
		checkEchoed(t, "log", logs.String(), 2000)
	})
	t.Run("error answer", func(t *testing.T) {
		var mu sync.Mutex
		var seen []string // what an Observer (and so a metrics or tracing exporter) is handed
		c, logs := clientFor(t, srv, evil.URL, func(cfg *transport.Config) {
			cfg.MaxAttempts = 1
			cfg.Observer = &transport.Observer{
				CallDone: func(_ context.Context, d transport.CallDone) { mu.Lock(); seen = append(seen, d.Code); mu.Unlock() },
				AttemptDone: func(_ context.Context, d transport.AttemptDone) {
					mu.Lock()
					seen = append(seen, d.RequestID)
					mu.Unlock()
				},
			}
		})
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		var ae *transport.APIError
		if !errors.As(err, &ae) || len(ae.Message) < len(hostile) || !strings.HasPrefix(ae.Message, "AB\n") {
			t.Fatalf("got %v; want an APIError holding the message as received", err)
		}
		t.Logf("error of %d bytes: %s", len(err.Error()), err)
		checkEchoed(t, "error", err.Error(), 500)
		if !strings.Contains(err.Error(), `: "AB\n\r\x1b[31mFAKE LOG LINE`) {
			t.Errorf("the message is not quoted and escaped: %.200s", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 2 {
			t.Fatalf("observer saw %d events, want CallDone and AttemptDone", len(seen))
		}
		for _, v := range seen {
			checkEchoed(t, "observer event", v, 2*transport.MaxEchoedText)
		}
		t.Logf("log of %d bytes", len(logs.String()))
		checkEchoed(t, "log", logs.String(), 2000)
	})
	t.Run("unknown serial", func(t *testing.T) {
		c, logs := clientFor(t, srv, evil.URL, func(cfg *transport.Config) { cfg.MaxAttempts = 1 })
		_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000110", nil))
		var ve *transport.VerificationError
		if !errors.As(err, &ve) || ve.Reason != transport.ReasonUnknownSerial {
			t.Fatalf("got %v; want an unknown-serial VerificationError", err)
		}
		t.Logf("error of %d bytes: %s", len(err.Error()), err)
		checkEchoed(t, "error", err.Error(), 400)
		t.Logf("log of %d bytes", len(logs.String()))
		checkEchoed(t, "log", logs.String(), 2000)
	})
}
