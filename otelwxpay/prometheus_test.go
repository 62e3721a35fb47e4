package otelwxpay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
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

// TestREADMEExample keeps the repository README's Prometheus example identical to the body
// of Example_prometheus, which the compiler checks.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- example: otelwxpay.Example_prometheus -->\n```go\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no ```go block after <!-- example: otelwxpay.Example_prometheus -->")
	}
	body := regexp.MustCompile(`(?s)\nfunc Example_prometheus\(\) \{\n(.*?)\n\}\n`).FindSubmatch(src)
	if body == nil {
		t.Fatal("example_test.go has no func Example_prometheus()")
	}
	if got, want := normalize(string(block[1])), normalize(string(body[1])); got != want {
		t.Errorf("README.md's Prometheus example differs from Example_prometheus in otelwxpay/example_test.go; copy it over:\n%s", want)
	}
}

func normalize(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
