package otelwxpay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/otelwxpay"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// telemetry is an OpenTelemetry SDK recording in memory.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	obs    *transport.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	obs, err := otelwxpay.New(otelwxpay.Config{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	tel.obs = obs
	return tel
}

// metrics collects the metrics, by name.
func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelwxpay.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sum adds up a counter's data points whose attributes include want.
func sum(t *testing.T, ms map[string]metricdata.Metrics, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	m, ok := ms[name]
	if !ok {
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if has(dp.Attributes, want...) {
			n += dp.Value
		}
	}
	return n
}

// histogramCount counts a histogram's recordings whose attributes include want.
func histogramCount(t *testing.T, ms map[string]metricdata.Metrics, name string, want ...attribute.KeyValue) uint64 {
	t.Helper()
	var n uint64
	for _, dp := range ms[name].Data.(metricdata.Histogram[float64]).DataPoints {
		if has(dp.Attributes, want...) {
			n += dp.Count
		}
	}
	return n
}

func has(set attribute.Set, want ...attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

func attr(kvs []attribute.KeyValue, key string) (attribute.Value, bool) {
	for _, kv := range kvs {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// client builds a generated client for baseURL over a transport for srv reporting to tel.
func client(t *testing.T, srv *wxpaytest.Server, baseURL string, tel *telemetry, edit func(*transport.Config)) *generated.ClientWithResponses {
	t.Helper()
	cfg := srv.TransportConfig()
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	cfg.Base, cfg.Observer = base, tel.obs
	cfg.Backoff = func(int) time.Duration { return time.Millisecond }
	if edit != nil {
		edit(&cfg)
	}
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	c, err := generated.NewClientWithResponses(baseURL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// callAndAttempts splits the recorded spans into the call's span and its attempts' spans.
func callAndAttempts(t *testing.T, tel *telemetry) (sdktrace.ReadOnlySpan, []sdktrace.ReadOnlySpan) {
	t.Helper()
	var call sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		switch s.SpanKind() {
		case trace.SpanKindInternal:
			call = s
		case trace.SpanKindClient:
			attempts = append(attempts, s)
		}
	}
	if call == nil {
		t.Fatalf("no call span among %d spans", len(tel.spans.Ended()))
	}
	for _, a := range attempts {
		if a.Parent().SpanID() != call.SpanContext().SpanID() {
			t.Errorf("attempt span %s is not a child of the call's span", a.Name())
		}
	}
	return call, attempts
}

func TestRetryThenSuccess(t *testing.T) {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	srv.QueueFault(wxpaytest.Fault{Status: 500})
	tel := newTelemetry(t)
	c := client(t, srv, srv.URL, tel, nil)
	if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, nil)); err != nil {
		t.Fatal(err)
	}
	call, attempts := callAndAttempts(t, tel)
	if call.Name() != "QueryECommerceBalance" || len(attempts) != 2 {
		t.Fatalf("call span %q with %d attempts, want QueryECommerceBalance with 2", call.Name(), len(attempts))
	}
	if v, _ := attr(call.Attributes(), "wxpay.attempts"); v.AsInt64() != 2 {
		t.Errorf("wxpay.attempts = %v", v.AsInt64())
	}
	if v, _ := attr(attempts[0].Attributes(), "http.response.status_code"); v.AsInt64() != 500 {
		t.Errorf("first attempt's status %v", v.AsInt64())
	}
	if v, _ := attr(attempts[1].Attributes(), "http.request.resend_count"); v.AsInt64() != 1 {
		t.Errorf("second attempt's resend count %v", v.AsInt64())
	}
	for i, a := range attempts {
		if v, ok := attr(a.Attributes(), "wxpay.request_id"); !ok || v.AsString() != srv.Requests()[i].RequestID {
			t.Errorf("attempt %d: Request-ID %q, server answered %q", i+1, v.AsString(), srv.Requests()[i].RequestID)
		}
	}
	if ev := call.Events(); len(ev) != 1 || ev[0].Name != "wxpay.retry" {
		t.Errorf("call events %+v, want one wxpay.retry", ev)
	}

	ms := tel.metrics(t)
	op := otelwxpay.OperationKey.String("QueryECommerceBalance")
	if n := histogramCount(t, ms, "wxpay.client.call.duration", op, otelwxpay.OutcomeKey.String("ok")); n != 1 {
		t.Errorf("%d calls with outcome ok, want 1", n)
	}
	if n := sum(t, ms, "wxpay.client.attempts", op); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
	if n := sum(t, ms, "wxpay.client.retries", op, attribute.String("error.type", "api")); n != 1 {
		t.Errorf("%d retries, want 1", n)
	}
	if n := sum(t, ms, "wxpay.client.failovers"); n != 0 {
		t.Errorf("%d failovers, want 0", n)
	}
}

func TestHangingPrimaryFailsOver(t *testing.T) {
	keys, err := wxpaytest.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	primary, backup := wxpaytest.NewServer(wxpaytest.WithKeys(keys)), wxpaytest.NewServer(wxpaytest.WithKeys(keys))
	defer primary.Close()
	defer backup.Close()
	primary.QueueFault(wxpaytest.Fault{Delay: 10 * time.Second})
	tel := newTelemetry(t)
	c := client(t, primary, primary.URL, tel, func(cfg *transport.Config) {
		cfg.BackupURL, cfg.AttemptTimeout = backup.URL, 200*time.Millisecond
	})
	if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, nil)); err != nil {
		t.Fatal(err)
	}
	call, attempts := callAndAttempts(t, tel)
	var failover bool
	for _, ev := range call.Events() {
		if ev.Name == "wxpay.failover" {
			to, _ := attr(ev.Attributes, "wxpay.failover.to")
			failover = "http://"+to.AsString() == backup.URL
		}
	}
	if !failover {
		t.Errorf("no wxpay.failover event to the backup among %+v", call.Events())
	}
	last := attempts[len(attempts)-1]
	host, _ := attr(last.Attributes(), "server.address")
	port, _ := attr(last.Attributes(), "server.port")
	if got := fmt.Sprintf("http://%s:%d", host.AsString(), port.AsInt64()); got != backup.URL {
		t.Errorf("last attempt went to %s, want the backup %s", got, backup.URL)
	}
	if et, _ := attr(attempts[0].Attributes(), "error.type"); et.AsString() != "timeout" {
		t.Errorf("first attempt's error.type %q, want timeout", et.AsString())
	}
	if n := sum(t, tel.metrics(t), "wxpay.client.failovers"); n != 1 {
		t.Errorf("%d failovers, want 1", n)
	}
}

func TestTamperedAnswerIsAVerificationFailure(t *testing.T) {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	srv.QueueFault(wxpaytest.Fault{TamperBody: true})
	tel := newTelemetry(t)
	c := client(t, srv, srv.URL, tel, nil)
	_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, nil))
	var ve *transport.VerificationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a VerificationError", err)
	}
	reason := otelwxpay.VerificationReasonKey.String(string(transport.ReasonBadSignature))
	ms := tel.metrics(t)
	if n := sum(t, ms, "wxpay.client.verification.failures", reason); n != 1 {
		t.Errorf("%d verification failures for %q, want 1", n, transport.ReasonBadSignature)
	}
	if n := histogramCount(t, ms, "wxpay.client.call.duration", otelwxpay.OutcomeKey.String("error"), attribute.String("error.type", "verification")); n != 1 {
		t.Errorf("%d calls with outcome error/verification, want 1", n)
	}
	call, attempts := callAndAttempts(t, tel)
	if len(attempts) != 1 || len(attempts[0].Events()) != 1 || attempts[0].Events()[0].Name != "wxpay.verification_failure" {
		t.Fatalf("attempt spans %d, events %+v", len(attempts), attempts[0].Events())
	}
	if v, _ := attr(attempts[0].Events()[0].Attributes, "wxpay.verification.reason"); v.AsString() != string(transport.ReasonBadSignature) {
		t.Errorf("event reason %q", v.AsString())
	}
	if call.Status().Code.String() != "Error" || call.Status().Description != "verification" {
		t.Errorf("call span status %+v", call.Status())
	}
}
