package wxpaytest

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCloseLeavesNoGoroutines: after Close, the server and Client's connections are gone.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	keys := testKeys(t)
	before := runtime.NumGoroutine()
	srv := NewServer(WithKeys(keys))
	c := newClient(t, srv)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	srv.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestWithAddrAndLogger(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	h := slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug})
	srv := NewUnstartedServer(WithKeys(testKeys(t)), WithAddr("127.0.0.1:0"), WithLogger(slog.New(h)))
	srv.Start()
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, "/") {
		t.Errorf("URL = %q", srv.URL)
	}
	if _, err := newClient(t, srv).QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "operation=QueryECommerceBalance") || !strings.Contains(logs.String(), "status=200") {
		t.Errorf("log: %s", logs.String())
	}
}

func TestWildcardAddrURLIsLoopback(t *testing.T) {
	srv := NewServer(WithKeys(testKeys(t)), WithAddr(":0"))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %q", srv.URL)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
