package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

func TestFormatYuan(t *testing.T) {
	tests := []struct {
		fen  int64
		want string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{10000, "100.00"},
		{100000, "1,000.00"},
		{123456789, "1,234,567.89"},
		{-1, "-0.01"},
		{-10000, "-100.00"},
		{-123456789, "-1,234,567.89"},
		{math.MaxInt64, "92,233,720,368,547,758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := formatYuan(tt.fen); got != tt.want {
			t.Errorf("formatYuan(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

func TestAmount(t *testing.T) {
	n := int64(10000)
	if got, want := amount(&n), "100.00 yuan (10000 fen)"; got != want {
		t.Errorf("amount(10000) = %q, want %q", got, want)
	}
	if got := amount(nil); got != "-" {
		t.Errorf("amount(nil) = %q, want -", got)
	}
}

func TestRows(t *testing.T) {
	pending, at := int64(1), generated.AccountTypeFees
	var buf bytes.Buffer
	if err := writeRows(&buf, eCommerceRows(&generated.ECommerceBalance{SubMchID: "1900000109", AvailableAmount: -250, PendingAmount: &pending, AccountType: &at})); err != nil {
		t.Fatal(err)
	}
	want := "sub_mchid         1900000109\n" +
		"account_type      FEES\n" +
		"available_amount  -2.50 yuan (-250 fen)\n" +
		"pending_amount    0.01 yuan (1 fen)\n"
	if buf.String() != want {
		t.Errorf("eCommerceRows:\n%s\nwant:\n%s", buf.String(), want)
	}

	buf.Reset()
	if err := writeRows(&buf, accountRows(&generated.AccountBalance{})); err != nil {
		t.Fatal(err)
	}
	if want := "balance                     -\nin_transit_reduction_exist  -\n"; buf.String() != want {
		t.Errorf("accountRows of an empty answer:\n%q\nwant:\n%q", buf.String(), want)
	}
}

func TestWriteJSONKeepsTheVerifiedFields(t *testing.T) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, []byte(`{"sub_mchid":"1900000109","available_amount":10000,"new_field":true}`)); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"sub_mchid\": \"1900000109\",\n  \"available_amount\": 10000,\n  \"new_field\": true\n}\n"
	if buf.String() != want {
		t.Errorf("writeJSON:\n%s\nwant:\n%s", buf.String(), want)
	}
	if err := writeJSON(&buf, []byte("not json")); err == nil {
		t.Error("writeJSON accepted a body that is not JSON")
	}
}

func TestWriteAPIError(t *testing.T) {
	header := map[string][]string{"Request-Id": {"08F78BB5AF0610D302"}}
	e := transport.NewAPIError(400, header, []byte(`{"code":"PARAM_ERROR","message":"参数错误 <&>","detail":{"field":"sub_mchid"}}`))
	var buf bytes.Buffer
	writeAPIError(&buf, e)
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("not one line: %q", buf.String())
	}
	if !strings.Contains(buf.String(), "参数错误 <&>") {
		t.Errorf("message escaped or lost: %s", buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"status": 400.0, "code": "PARAM_ERROR", "message": "参数错误 <&>",
		"detail": map[string]any{"field": "sub_mchid"}, "request_id": "08F78BB5AF0610D302"}
	for k, v := range want {
		if gotJSON, wantJSON := mustJSON(got[k]), mustJSON(v); gotJSON != wantJSON {
			t.Errorf("%s = %s, want %s", k, gotJSON, wantJSON)
		}
	}

	// No body: the status text, and every key still present.
	buf.Reset()
	writeAPIError(&buf, transport.NewAPIError(502, map[string][]string{}, nil))
	if want := `{"status":502,"code":"","message":"Bad Gateway","detail":null,"request_id":""}` + "\n"; buf.String() != want {
		t.Errorf("writeAPIError without a body = %s, want %s", buf.String(), want)
	}
}

// An error answer is unsigned: what the CLI echoes of it is cleaned and bounded.
func TestWriteAPIErrorBoundsUnverifiedText(t *testing.T) {
	long := strings.Repeat("A", 300_000)
	body := `{"code":"` + long + `","message":"ok \u202e=cmd|' /C calc'!A0 \u001b[31m` + long + `",` +
		`"detail":{"field":"` + long + `"}}`
	header := map[string][]string{"Request-Id": {"id\u202e" + long}}
	var buf bytes.Buffer
	writeAPIError(&buf, transport.NewAPIError(400, header, []byte(body)))
	out := buf.String()
	if len(out) > 4096 {
		t.Errorf("echoed %d bytes of an unsigned answer, want at most 4096", len(out))
	}
	if strings.ContainsAny(out, "\u202e\x1b") {
		t.Errorf("format or control characters echoed: %q", out)
	}
	var got apiErrorJSON
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON object: %v", err)
	}
	if !strings.HasPrefix(got.Message, "ok ?=cmd") {
		t.Errorf("message = %.40q, want the cleaned text", got.Message)
	}
	var detail string
	if err := json.Unmarshal(got.Detail, &detail); err != nil || !strings.HasPrefix(detail, `{"field":"AAA`) {
		t.Errorf("an oversized detail is not a cut string: %.60s (%v)", got.Detail, err)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCheckFormat(t *testing.T) {
	for _, f := range []string{"json", "table"} {
		if err := checkFormat(f); err != nil {
			t.Errorf("checkFormat(%q) = %v", f, err)
		}
	}
	if err := checkFormat("yaml"); err == nil {
		t.Error("checkFormat(yaml) = nil")
	}
}

func TestNoAnswerMessage(t *testing.T) {
	cause := errors.New("dial tcp 1.2.3.4:443: i/o timeout")
	e := &url.Error{Op: "Get", URL: "https://api.mch.weixin.qq.com/v3/aggracct-bc/wb-channel/account/balance?bal_account_no=CIPHERTEXT&mchid=1",
		Err: &transport.RetryError{Attempts: 3, Hosts: []string{"api.mch.weixin.qq.com", "api2.mch.weixin.qq.com", "api2.mch.weixin.qq.com"}, Err: cause}}
	got := noAnswerMessage(e)
	want := "no answer from https://api.mch.weixin.qq.com after 3 attempts (also tried api2.mch.weixin.qq.com): dial tcp 1.2.3.4:443: i/o timeout (check WXPAY_BASE_URL and the network)"
	if got != want {
		t.Errorf("noAnswerMessage =\n%s\nwant\n%s", got, want)
	}
	e.Err = cause
	if got := noAnswerMessage(e); strings.Contains(got, "CIPHERTEXT") || !strings.HasPrefix(got, "no answer from https://api.mch.weixin.qq.com: dial tcp") {
		t.Errorf("noAnswerMessage without retries = %s", got)
	}
}

func TestFinishOtherErrors(t *testing.T) {
	var buf bytes.Buffer
	if code := finish(context.Background(), &buf, errors.New("wxpay: the answer had no JSON body")); code != exitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if got := buf.String(); got != "wxpay: the answer had no JSON body\n" {
		t.Errorf("stderr = %q", got)
	}
}
