package wxpaytest

import (
	"context"
	"testing"
)

// The same query sent again after a final answer is a new request, not a retry: separate
// runs of a program (the CLI against wxpay mock) each start at Attempt 1.
func TestAttemptRestartsAfterAFinalAnswer(t *testing.T) {
	srv := newTestServer(t)
	c := singleAttemptClient(t, srv)
	srv.QueueFault(Fault{Status: 500})
	for range 3 {
		if _, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	for _, r := range srv.Requests() {
		got = append(got, r.Attempt)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 1 {
		t.Errorf("attempts = %v, want [1 2 1]: a 500 is retried, a 200 ends the series", got)
	}
}
