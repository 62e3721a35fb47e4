package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

func TestECommerceBalanceJSON(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var got generated.ECommerceBalance
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if got.SubMchID != wxpaytest.DemoSubMchID || got.AvailableAmount != 10000 || got.PendingAmount == nil || *got.PendingAmount != 1 {
		t.Errorf("stdout = %s", r.stdout)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Operation != "QueryECommerceBalance" || reqs[0].Status != 200 {
		t.Errorf("server saw %+v", reqs)
	}
	if reqs[0].RawQuery != "" {
		t.Errorf("account_type sent without --account-type: %q", reqs[0].RawQuery)
	}
}

func TestECommerceBalanceTableAndAccountType(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	srv.SetECommerceBalance("1900000110", generated.AccountTypeOperation, 123456789, -5)
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", "1900000110", "--account-type", "operation", "-o", "table")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"1900000110", "OPERATION", "1,234,567.89 yuan (123456789 fen)", "-0.05 yuan (-5 fen)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	if q := srv.Requests()[0].Query.Get("account_type"); q != "OPERATION" {
		t.Errorf("account_type sent = %q, want OPERATION", q)
	}
}

func TestChannelBalance(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	r := runCLI(t, env, "channel-balance", "--target-mchid", env[envMchID], "--bal-account-no", wxpaytest.DemoBalAccountNo)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var got generated.AccountBalance
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if got.Balance == nil || *got.Balance != 1 || got.InTransitReductionExist == nil || *got.InTransitReductionExist {
		t.Errorf("stdout = %s", r.stdout)
	}
	req := srv.Requests()[0]
	if req.Decrypted["bal_account_no"] != wxpaytest.DemoBalAccountNo {
		t.Errorf("server decrypted %q", req.Decrypted["bal_account_no"])
	}
	if strings.Contains(req.RawQuery, wxpaytest.DemoBalAccountNo) {
		t.Errorf("plaintext sent in the query: %s", req.RawQuery)
	}

	// -o table, and the plaintext read from stdin.
	r = runCLIContext(t, context.Background(), env, wxpaytest.DemoBalAccountNo+"\n",
		"channel-balance", "--target-mchid", env[envMchID], "--bal-account-no", "-", "-o", "table")
	if r.code != exitOK || !strings.Contains(r.stdout, "0.01 yuan (1 fen)") || !strings.Contains(r.stdout, "false") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// apiErrorOf checks that r is an API error exit and returns the JSON object on stderr.
func apiErrorOf(t *testing.T, r result) apiErrorJSON {
	t.Helper()
	if r.code != exitFailure || r.stdout != "" {
		t.Fatalf("exit %d (want 1), stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	checkOneLine(t, r.stderr)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stderr), &raw); err != nil {
		t.Fatalf("stderr is not a JSON object: %v\n%s", err, r.stderr)
	}
	for _, k := range []string{"status", "code", "message", "detail", "request_id"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("stderr lacks %q: %s", k, r.stderr)
		}
	}
	var e apiErrorJSON
	_ = json.Unmarshal([]byte(r.stderr), &e)
	return e
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)

	// An unknown sub-merchant: 403 NO_AUTH from the handler.
	e := apiErrorOf(t, runCLI(t, env, "ecommerce-balance", "--sub-mchid", "1900000999"))
	if e.Status != 403 || e.Code != "NO_AUTH" || e.Message == "" {
		t.Errorf("unknown sub-merchant: %+v", e)
	}
	if reqs := srv.Requests(); e.RequestID == "" || e.RequestID != reqs[len(reqs)-1].RequestID {
		t.Errorf("request_id %q, server answered %q", e.RequestID, reqs[len(reqs)-1].RequestID)
	}

	// An account type never opened: 400 INVALID_REQUEST.
	e = apiErrorOf(t, runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "--account-type", "DEPOSIT"))
	if e.Status != 400 || e.Code != "INVALID_REQUEST" {
		t.Errorf("account type not opened: %+v", e)
	}

	// A 5xx on every attempt: the transport retries, then the last answer is the error.
	srv.QueueFault(wxpaytest.Fault{Operation: "QueryECommerceBalance", Status: 500, Times: 10})
	e = apiErrorOf(t, runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID))
	if e.Status != 500 || e.Code != "SYSTEM_ERROR" || e.RequestID == "" {
		t.Errorf("5xx after retries: %+v", e)
	}
	srv.ClearFaults()

	// A queued fault.
	srv.QueueFault(wxpaytest.Fault{Operation: "QueryAccountBalance", Status: 403, Code: "NO_AUTH", Message: "商户无权限", AllowUnlisted: true})
	e = apiErrorOf(t, runCLI(t, env, "channel-balance", "--target-mchid", env[envMchID], "--bal-account-no", wxpaytest.DemoBalAccountNo))
	if e.Status != 403 || e.Code != "NO_AUTH" || e.Message != "商户无权限" || e.RequestID == "" {
		t.Errorf("queued fault: %+v", e)
	}
}

func TestVerificationFailures(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	tests := []struct {
		fault wxpaytest.Fault
		want  []string
	}{
		{wxpaytest.Fault{TamperBody: true}, []string{"failed verification", "signature does not match", "Request-ID"}},
		{wxpaytest.Fault{StaleTimestamp: true}, []string{"failed verification", "clock"}},
		{wxpaytest.Fault{Probe: true}, []string{"failed verification", "probe"}},
	}
	for _, tt := range tests {
		srv.QueueFault(tt.fault)
		r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
		if r.code != exitFailure || r.stdout != "" {
			t.Errorf("%v: exit %d (want 1), stdout %q", tt.fault, r.code, r.stdout)
		}
		checkOneLine(t, r.stderr)
		checkNoSecrets(t, r.stderr, env[envPrivateKeyFile])
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr lacks %q: %s", tt.fault, w, r.stderr)
			}
		}
	}
}

// TestBadInputNeverSent checks that input errors exit 2 before any request is sent.
func TestBadInputNeverSent(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	tooLong := strings.Repeat("x", 300)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "--account-type", "SAVINGS"}, `--account-type "SAVINGS": expected BASIC, FEES, OPERATION or DEPOSIT`},
		{[]string{"ecommerce-balance", "--sub-mchid", strings.Repeat("1", 40)}, "--sub-mchid: "},
		{[]string{"ecommerce-balance", "--sub-mchid", "../certificates"}, "--sub-mchid"},
		{[]string{"ecommerce-balance"}, "--sub-mchid is required"},
		{[]string{"ecommerce-balance", "--sub-mchid", "1", "-o", "yaml"}, `-o "yaml": expected json or table`},
		{[]string{"ecommerce-balance", "--sub-mchid", "1", "--timeout", "0s"}, "--timeout 0s"},
		{[]string{"ecommerce-balance", "--sub-mchid", "1", "extra"}, `unexpected argument "extra"`},
		{[]string{"ecommerce-balance", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"channel-balance", "--bal-account-no", "x"}, "--target-mchid is required"},
		{[]string{"channel-balance", "--target-mchid", "1900000001"}, "--bal-account-no is required"},
		{[]string{"channel-balance", "--target-mchid", strings.Repeat("1", 40), "--bal-account-no", "x"}, "--target-mchid: "},
		{[]string{"channel-balance", "--target-mchid", "1900000001", "--bal-account-no", tooLong}, "--bal-account-no: plaintext of 300 bytes is too long"},
	}
	for _, tt := range tests {
		r := runCLI(t, env, tt.args...)
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, want 2; stderr:\n%s", tt.args, r.code, r.stderr)
			continue
		}
		checkOneLine(t, r.stderr)
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: stderr lacks %q:\n%s", tt.args, tt.want, r.stderr)
		}
		if strings.Contains(r.stderr, tooLong) {
			t.Errorf("%q: the plaintext is in the error", tt.args)
		}
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("the server saw %d requests, want none: %+v", len(reqs), reqs)
	}
}

func TestSettingsErrors(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no environment", nil, "WXPAY_MCHID is not set"},
		{"no private key", without(env, envPrivateKeyFile), "WXPAY_PRIVATE_KEY_FILE is not set: point it at apiclient_key.pem (or pass --private-key-file)"},
		{"no public key ID", without(env, envPublicKeyID), "WXPAY_PUBLIC_KEY_ID is not set"},
		{"private key file missing", with(env, envPrivateKeyFile, "/nonexistent/apiclient_key.pem"), "WXPAY_PRIVATE_KEY_FILE: merchant private key (/nonexistent/apiclient_key.pem): cannot read the file"},
		{"public key in place of the private key", with(env, envPrivateKeyFile, env[envPublicKeyFile]), "WXPAY_PRIVATE_KEY_FILE: merchant private key"},
		{"private key in place of the public key", with(env, envPublicKeyFile, env[envPrivateKeyFile]), "WXPAY_PUBLIC_KEY_FILE: WeChat Pay public key"},
		{"bad merchant ID", with(env, envMchID, "19000 00001"), "WXPAY_MCHID (--caller-mchid): not a merchant ID"},
		{"bad base URL", with(env, envBaseURL, "127.0.0.1:8080"), "WXPAY_BASE_URL: not a base URL"},
	}
	for _, tt := range tests {
		for _, args := range [][]string{
			{"ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID},
			{"channel-balance", "--target-mchid", "1900000001", "--bal-account-no", wxpaytest.DemoBalAccountNo},
		} {
			r := runCLI(t, tt.env, args...)
			if r.code != exitUsage || r.stdout != "" {
				t.Errorf("%s, %s: exit %d (want 2), stdout %q", tt.name, args[0], r.code, r.stdout)
			}
			checkOneLine(t, r.stderr)
			checkNoSecrets(t, r.stderr, env[envPrivateKeyFile], env[envPublicKeyFile])
			if !strings.HasPrefix(r.stderr, "wxpay: ") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("%s, %s: stderr lacks %q:\n%s", tt.name, args[0], tt.want, r.stderr)
			}
		}
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("the server saw %d requests, want none", len(reqs))
	}

	// Flags stand in for the environment.
	r := runCLI(t, without(env, envMchID, envPrivateKeyFile), "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID,
		"--caller-mchid", env[envMchID], "--private-key-file", env[envPrivateKeyFile])
	if r.code != exitOK {
		t.Errorf("with flags for the missing settings: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestNoAnswer(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)

	// Nothing listens at the base URL.
	r := runCLI(t, with(env, envBaseURL, "http://127.0.0.1:1"), "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "--timeout", "5s")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no answer from http://127.0.0.1:1") || !strings.Contains(r.stderr, "check WXPAY_BASE_URL") {
		t.Errorf("unreachable host: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	checkOneLine(t, r.stderr)

	// Every answer comes too late for --timeout (one slow answer alone is retried in time).
	srv.QueueFault(wxpaytest.Fault{Delay: 10 * time.Second, Times: 5})
	start := time.Now()
	r = runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "--timeout", "200ms")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no answer in time: raise --timeout") {
		t.Errorf("timeout: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("--timeout 200ms took %s", d)
	}
}

func TestInterrupt(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	srv.QueueFault(wxpaytest.Fault{Delay: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	r := runCLIContext(t, ctx, env, "", "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
	if r.code != exitInterrupt || r.stderr != "wxpay: interrupted\n" {
		t.Errorf("exit %d (want 130), stderr:\n%s", r.code, r.stderr)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := runCLI(t, nil, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "ecommerce-balance") || !strings.Contains(r.stdout, "WXPAY_PUBLIC_KEY_FILE") || r.stderr != "" {
			t.Errorf("%q: exit %d, stdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, c := range commands {
		if c.run == nil {
			continue
		}
		for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}} {
			r := runCLI(t, nil, args...)
			if r.code != exitOK || !strings.HasPrefix(r.stdout, "Usage: wxpay "+c.name) || r.stderr != "" {
				t.Errorf("%q: exit %d, stdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
			}
		}
	}
	r := runCLI(t, nil, "ecommerce-balance", "-h")
	for _, f := range []string{"-sub-mchid", "-account-type", "-timeout", "-o format", "-caller-mchid", "-private-key-file", "WXPAY_PRIVATE_KEY_FILE"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("ecommerce-balance -h lacks %q:\n%s", f, r.stdout)
		}
	}
	r = runCLI(t, nil, "channel-balance", "-h")
	for _, f := range []string{"-target-mchid ID", "whose quota to query", "-caller-mchid ID", "not the merchant queried", "-platform-cert-file", "-apiv3-key-file", "-env-file"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("channel-balance -h lacks %q:\n%s", f, r.stdout)
		}
	}
	for _, args := range [][]string{nil, {"balance"}, {"help", "balance"}} {
		r := runCLI(t, nil, args...)
		if r.code != exitUsage || r.stdout != "" || r.stderr == "" {
			t.Errorf("%q: exit %d (want 2), stdout %q", args, r.code, r.stdout)
		}
	}
}
