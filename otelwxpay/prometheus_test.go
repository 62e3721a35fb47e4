package otelwxpay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/otelwxpay"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// TestPrometheusEndpoint wires the Observer to the Prometheus exporter as the README does
// (on a registry of its own), makes a retried call and scrapes /metrics.
func TestPrometheusEndpoint(t *testing.T) {
	reg := prom.NewRegistry()
	exporter, err := prometheus.New(prometheus.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer mp.Shutdown(context.Background())
	observer, err := otelwxpay.New(otelwxpay.Config{MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	srv := wxpaytest.NewServer()
	defer srv.Close()
	srv.QueueFault(wxpaytest.Fault{Status: 500})
	tel := &telemetry{obs: observer}
	c := client(t, srv, srv.URL, tel, nil)
	if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, nil)); err != nil {
		t.Fatal(err)
	}
	metrics := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer metrics.Close()
	resp, err := http.Get(metrics.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`(?m)^wxpay_client_call_duration_seconds_count\{[^}]*wxpay_operation="QueryECommerceBalance",wxpay_outcome="ok"\} 1$`,
		`(?m)^wxpay_client_call_duration_seconds_bucket\{[^}]*le="0.005"\} 0$`,
		`(?m)^wxpay_client_attempts_total\{error_type="500",http_response_status_code="500",[^}]*\} 1$`,
		`(?m)^wxpay_client_attempts_total\{http_response_status_code="200",[^}]*\} 1$`,
		`(?m)^wxpay_client_retries_total\{error_type="api",[^}]*\} 1$`,
	} {
		if !regexp.MustCompile(want).Match(body) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", regexp.MustCompile(`(?m)^wxpay_.*$`).FindAllString(string(body), -1))
	}
}
