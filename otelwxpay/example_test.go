package otelwxpay_test

import (
	"log"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/otelwxpay"
)

// The transport's metrics on a Prometheus /metrics endpoint, through OpenTelemetry's
// Prometheus exporter. Compiled (and kept identical to README.md by TestREADMEExample), not
// run: it needs real keys.
func Example_prometheus() {
	exporter, err := prometheus.New() // registers with prometheus.DefaultRegisterer
	if err != nil {
		log.Fatal(err)
	}
	observer, err := otelwxpay.New(otelwxpay.Config{ // spans go to otel.GetTracerProvider()
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := wxpay.ConfigFromEnv(os.LookupEnv)
	if err != nil {
		log.Fatal(err)
	}
	cfg.Transport.Observer = observer
	client, err := wxpay.NewClient(cfg.BaseURL, cfg.Transport)
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/metrics", promhttp.Handler())
	go func() { log.Fatal(http.ListenAndServe("127.0.0.1:9464", nil)) }()
	_ = client // query balances as usual
}
