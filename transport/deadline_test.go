package transport_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// switchingServer is a raw TCP server on loopback that answers every request with
// "101 Switching Protocols" and then says nothing more, holding the connection open.
func switchingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := bufio.NewReader(c)
				for { // the request's header, up to the empty line
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						break
					}
				}
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
				io.Copy(io.Discard, r) // silence, until the client or the test closes
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// identity returns a Config with the test keys, the WeChat Pay public key pinned and,
// when apiV3 is set, certificate download on.
func identity(t *testing.T, apiV3 bool) transport.Config {
	k := theKeys(t)
	cfg := transport.Config{
		MchID:                testMchID,
		CertificateSerialNo:  testCertSerial,
		PrivateKey:           k.merchant,
		WechatPayPublicKeyID: testPubKeyID,
		WechatPayPublicKey:   &k.wechat.PublicKey,
	}
	if apiV3 {
		cfg.APIv3Key = transport.NewSecret([]byte(strings.Repeat("k", 32)))
	}
	return cfg
}

// within runs fn and fails the test if it has not returned after limit: a liveness
// guard, so that a call which never ends fails the test instead of hanging it.
func within(t *testing.T, limit time.Duration, what string, fn func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(limit):
		t.Fatalf("%s still blocked after %v", what, limit)
		return 0
	}
}

// TestSwitchingProtocolsEndsTheCall: a 101 answer followed by silence must not hold the
// call past its context (it held it for ever: the body was the raw connection).
func TestSwitchingProtocolsEndsTheCall(t *testing.T) {
	leakCheck(t)
	url := switchingServer(t)
	cfg := identity(t, false)
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	cfg.Base, cfg.AttemptTimeout = base, 300*time.Millisecond
	cfg.Backoff = func(int) time.Duration { return time.Millisecond }
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, _ := generated.NewClientWithResponses(url, generated.WithHTTPClient(&http.Client{Transport: tr, Timeout: 2 * time.Second}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var callErr error
	took := within(t, 10*time.Second, "the call answered with 101", func() {
		_, callErr = c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
	})
	if !errors.Is(callErr, transport.ErrInterimAnswer) {
		t.Fatalf("err = %v, want ErrInterimAnswer", callErr)
	}
	t.Logf("the 101 call ended after %v (context 1 s): %v", took.Round(time.Millisecond), callErr)
}

// silentBody is an answer body that never yields a byte and ignores every context, like a
// custom Base's body might; only Close ends a Read.
type silentBody struct {
	once   sync.Once
	closed chan struct{}
}

func (b *silentBody) Read([]byte) (int, error) { <-b.closed; return 0, io.ErrClosedPipe }
func (b *silentBody) Close() error             { b.once.Do(func() { close(b.closed) }); return nil }

// silentBase answers every request with 200 and a silentBody.
type silentBase struct{}

func (silentBase) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: &silentBody{closed: make(chan struct{})}, Request: req}, nil
}

// TestBodyReadEndsWithTheContext: reading an answer body ends when the call's context does,
// even when the body itself ignores the context.
func TestBodyReadEndsWithTheContext(t *testing.T) {
	leakCheck(t)
	cfg := identity(t, false)
	cfg.Base, cfg.MaxAttempts = silentBase{}, 1
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, _ := generated.NewClientWithResponses("https://api.mch.weixin.qq.com", generated.WithHTTPClient(&http.Client{Transport: tr}))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var callErr error
	took := within(t, 10*time.Second, "the call with a silent body", func() {
		_, callErr = c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
	})
	if !errors.Is(callErr, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", callErr)
	}
	t.Logf("ended after %v (context 300 ms): %v", took.Round(time.Millisecond), callErr)
}

// TestCertificateDownloadEndsWithItsContext: the platform-certificate download holds a lock
// while it reads; a 101 answer or a silent body must not keep it (nor Close) for ever.
func TestCertificateDownloadEndsWithItsContext(t *testing.T) {
	leakCheck(t)
	t.Run("101", func(t *testing.T) {
		url := switchingServer(t)
		cfg := identity(t, true)
		base := &http.Transport{}
		defer base.CloseIdleConnections()
		cfg.Base = base
		tr, err := transport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Point the download at the 101 server: the first request sets the host.
		c, _ := generated.NewClientWithResponses(url, generated.WithHTTPClient(&http.Client{Transport: tr}))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		within(t, 10*time.Second, "the call", func() { c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil) })
		var rerr error
		took := within(t, 10*time.Second, "RefreshCertificates", func() { rerr = tr.RefreshCertificates(ctx) })
		if !errors.Is(rerr, transport.ErrInterimAnswer) {
			t.Fatalf("RefreshCertificates = %v, want ErrInterimAnswer", rerr)
		}
		t.Logf("RefreshCertificates ended after %v: %v", took.Round(time.Millisecond), rerr)
		within(t, 10*time.Second, "Close", func() { tr.Close() })
	})
	t.Run("silent body", func(t *testing.T) {
		cfg := identity(t, true)
		cfg.Base = silentBase{}
		tr, err := transport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		var rerr error
		within(t, 10*time.Second, "RefreshCertificates", func() { rerr = tr.RefreshCertificates(ctx) })
		if !errors.Is(rerr, context.DeadlineExceeded) {
			t.Fatalf("RefreshCertificates = %v, want the context's deadline", rerr)
		}
		within(t, 10*time.Second, "Close", func() { tr.Close() })
	})
}
