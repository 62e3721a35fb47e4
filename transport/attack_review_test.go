package transport_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/transport"
)

// panickingHandler is a slog.Handler that panics on every record, as a broken or
// misconfigured handler may.
type panickingHandler struct{ n *atomic.Int64 }

func (h panickingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h panickingHandler) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	panic("a Logger that panics")
}
func (h panickingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panickingHandler) WithGroup(string) slog.Handler      { return h }

// Review of issue 11, item 2: the background refresh recovers a panic and logs it with
// Config.Logger; a Logger that panics too (its comment names the Logger among what may
// panic) took the process down from that goroutine.
func TestBackgroundRefreshSurvivesAPanickingLogger(t *testing.T) {
	leakCheck(t)
	var n atomic.Int64
	cfg := identity(t, true)
	cfg.Base = baseFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("no network here") })
	cfg.Logger = slog.New(panickingHandler{&n})
	tr, err := transport.NewWithCertificateRefresh(cfg, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); n.Load() < 4; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the Logger was called %d times in 10 s", n.Load())
		}
	}
	within(t, 10*time.Second, "Close", func() { tr.Close() })
}
