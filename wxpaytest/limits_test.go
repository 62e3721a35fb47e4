package wxpaytest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// get sends an unauthenticated GET (answered 401 SIGN_ERROR and logged like any request).
func get(t *testing.T, srv *Server, uri string) {
	t.Helper()
	res, err := http.Get(srv.URL + uri)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

// The request log was unbounded: every request, rejected ones included, was kept forever
// (20,000 unauthenticated requests with 16 KiB queries took the heap to 904 MiB).
func TestRequestLogBounded(t *testing.T) {
	srv := newTestServer(t, WithRequestLogSize(10))
	for i := range 25 {
		get(t, srv, fmt.Sprintf("%s%s?n=%d", ecomPath, DemoSubMchID, i))
	}
	reqs := srv.Requests()
	if len(reqs) != 10 || srv.DroppedRequests() != 15 {
		t.Fatalf("log holds %d requests and dropped %d; want the newest 10 and 15 dropped", len(reqs), srv.DroppedRequests())
	}
	for i, r := range reqs {
		if want := fmt.Sprintf("n=%d", 15+i); r.RawQuery != want || r.Status != http.StatusUnauthorized {
			t.Errorf("Requests()[%d] = %q (status %d), want %q, oldest first", i, r.RawQuery, r.Status, want)
		}
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 || srv.DroppedRequests() != 0 {
		t.Errorf("after ResetRequests: %d requests, %d dropped", len(srv.Requests()), srv.DroppedRequests())
	}
}

func TestRequestLogDefaultSize(t *testing.T) {
	srv := newTestServer(t)
	get(t, srv, "/v3/none?n=0")
	for i := range DefaultRequestLogSize + 4 { // as finish records them, without the HTTP
		srv.log.add(fmt.Sprint(i), &Request{RawQuery: fmt.Sprintf("n=%d", i+1)})
	}
	if n, d := len(srv.Requests()), srv.DroppedRequests(); n != DefaultRequestLogSize || d != 5 {
		t.Fatalf("log holds %d and dropped %d; want %d and 5", n, d, DefaultRequestLogSize)
	}
	if r := srv.Requests()[0]; r.RawQuery != "n=5" {
		t.Errorf("oldest request kept is %q, want n=5", r.RawQuery)
	}
}

// Attempt counts go on while the log holds the same request, and only then: the counts
// are bounded by the log's size too.
func TestRequestLogAttemptsBounded(t *testing.T) {
	srv := newTestServer(t, WithRequestLogSize(2))
	same := ecomPath + DemoSubMchID + "?account_type=BASIC"
	retried := func(key string) { srv.log.add(key, &Request{Status: 500}) } // as finish records a 500, which a client retries
	for range 3 {
		retried(same)
	}
	if reqs := srv.Requests(); reqs[1].Attempt != 3 {
		t.Fatalf("third identical request has Attempt %d, want 3", reqs[1].Attempt)
	}
	retried("/v3/none?a")
	retried("/v3/none?b") // the last request like `same` is dropped here
	if n := len(srv.log.attempts); n != 2 {
		t.Errorf("%d attempt counts kept for a log of 2", n)
	}
	retried(same)
	if reqs := srv.Requests(); reqs[1].Attempt != 1 {
		t.Errorf("after its earlier copies were dropped, the request has Attempt %d, want 1", reqs[1].Attempt)
	}

	none := newTestServer(t, WithRequestLogSize(0))
	get(t, none, same)
	if len(none.Requests()) != 0 || none.DroppedRequests() != 1 {
		t.Errorf("a log of size 0 holds %d requests, dropped %d", len(none.Requests()), none.DroppedRequests())
	}
}

// 3,000 half-open connections were held with no header read timeout.
func TestHalfOpenConnectionClosed(t *testing.T) {
	srv := newTestServer(t, WithReadHeaderTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /v3/certificates HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// Before the fix the server waited forever; give it far longer than its timeout.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server still held the connection 10s after its 100ms read-header timeout")
	}
}

// A client that sends its headers in time and then drips its body is cut off too.
func TestSlowBodyCutOff(t *testing.T) {
	srv := newTestServer(t, WithReadHeaderTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /v3/certificates HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server still waited for the body 10s after its 100ms timeout")
	}
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("a body cut off got %s, want 400", res.Status)
		}
	}
}

func TestIdleConnectionClosed(t *testing.T) {
	srv := newTestServer(t, WithIdleTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /v3/certificates HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(br); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server still held the idle connection 10s after its 100ms idle timeout")
	}
}

// Headers are bounded by default (net/http's own default is 1 MiB).
func TestHeaderSizeBounded(t *testing.T) {
	srv := newTestServer(t)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v3/certificates", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("a", 2*DefaultMaxHeaderBytes))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a %d-byte header got status %d, want 431", 2*DefaultMaxHeaderBytes, res.StatusCode)
	}
}
