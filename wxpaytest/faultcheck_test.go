package wxpaytest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/generated"
)

// A fault that cannot mean what it says panics when queued, as httptest does on misuse,
// instead of never applying (or answering what the spec does not list).
func TestQueueFaultPanicsOnMisuse(t *testing.T) {
	srv := newTestServer(t)
	for _, tc := range []struct {
		f    Fault
		want string
	}{
		{Fault{Operation: "NoSuchOperation", Status: 500}, `Fault.Operation "NoSuchOperation" is not an operationId of openapi.yaml: use one of ListCertificates, QueryAccountBalance, QueryECommerceBalance`},
		{Fault{Status: 200}, "Fault.Status 200 is not an error"},
		{Fault{Status: 403, Code: "BOGUS"}, `Fault.Code "BOGUS": openapi.yaml lists`},
		{Fault{Operation: generated.OpQueryECommerceBalance, Status: 403, Code: "BOGUS"}, "for 403 of QueryECommerceBalance; set AllowUnlisted"},
		{Fault{Status: 302}, "set AllowUnlisted"},
		{Fault{Status: 418}, "openapi.yaml lists no 418 error"},
		{Fault{Code: "SYSTEM_ERROR"}, "without a Status"},
		{Fault{Status: 500, Times: -2}, "Fault.Times -2"},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					t.Errorf("QueueFault(%+v) panicked with %v, want %q", tc.f, r, tc.want)
				}
			}()
			srv.QueueFault(tc.f)
		}()
	}
	if n := srv.PendingFaults(); n != 0 {
		t.Errorf("%d faults queued by the misuses", n)
	}
	// The opt-in, and the constants the compiler checks.
	srv.QueueFault(Fault{Operation: generated.OpQueryECommerceBalance, Status: 403, Code: "BOGUS", AllowUnlisted: true})
	r, err := singleAttemptClient(t, srv).QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
	if err != nil || r.StatusCode() != 403 || !strings.Contains(string(r.Body), `"code":"BOGUS"`) {
		t.Errorf("AllowUnlisted: err %v, answer %s", err, r.Body)
	}
}

// EveryAttempt reaches the caller through every retry, until ClearFaults; a dropped
// connection looks like one (EOF).
func TestEveryAttemptAndDrop(t *testing.T) {
	srv := newTestServer(t)
	srv.QueueFault(Fault{Drop: true, Times: EveryAttempt})
	c := newClient(t, srv)
	for range 2 {
		_, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
		if !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "EOF") {
			t.Fatalf("err = %v, want a closed connection", err)
		}
	}
	if srv.PendingFaults() != 1 {
		t.Errorf("PendingFaults = %d, want 1 (EveryAttempt stays queued)", srv.PendingFaults())
	}
	srv.ClearFaults()
	if _, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil); err != nil {
		t.Fatal(err)
	}
}
