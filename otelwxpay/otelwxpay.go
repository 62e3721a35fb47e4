// Package otelwxpay turns a transport.Observer into OpenTelemetry traces and metrics: a span
// per call with a child span per attempt, events for retries, failovers and verification
// failures, and the metrics below.
//
//	observer, err := otelwxpay.New(otelwxpay.Config{}) // the global TracerProvider and MeterProvider
//	cfg.Observer = observer                            // cfg is the transport.Config
//
// Spans: the call's span is named after the operation (e.g. "QueryAccountBalance", kind
// internal), with wxpay.operation, http.request.method, server.address and, at the end,
// http.response.status_code, wxpay.error_code, wxpay.attempts and error.type. Each attempt is
// a child span of kind client named after the HTTP method, with the HTTP client attributes
// (http.request.method, server.address, server.port, url.full without the query,
// http.response.status_code, http.request.resend_count, error.type) and wxpay.request_id,
// WeChat Pay's Request-ID for support. The attempt's context carries its span, so a
// Config.Base instrumented with otelhttp nests under it. Events: "wxpay.retry" and
// "wxpay.failover" on the call's span, "wxpay.verification_failure" on the attempt's.
//
// Metrics (instrumentation scope github.com/wxpay-oapi/wxpay/otelwxpay):
//
//	| name                                | instrument       | unit       | attributes |
//	|-------------------------------------|------------------|------------|------------|
//	| wxpay.client.call.duration          | histogram        | s          | wxpay.operation, wxpay.outcome, http.response.status_code, error.type |
//	| wxpay.client.attempts               | counter          | {attempt}  | wxpay.operation, server.address, http.response.status_code, error.type |
//	| wxpay.client.retries                | counter          | {retry}    | wxpay.operation, error.type (the cause) |
//	| wxpay.client.failovers              | counter          | {failover} | wxpay.operation, server.address (from), wxpay.failover.to |
//	| wxpay.client.verification.failures  | counter          | {failure}  | wxpay.operation, wxpay.verification.reason |
//	| wxpay.client.rate_limit.wait        | histogram        | s          | wxpay.operation, wxpay.outcome |
//	| wxpay.client.certificate.downloads  | counter          | {download} | server.address, wxpay.outcome, error.type |
//
// wxpay.outcome is "ok" or "error"; error.type is transport.ClassifyError's class ("timeout",
// "verification", "api", …), or the HTTP status for an answer that was not 2xx. Prometheus
// shows the names with dots as underscores and the unit as a suffix
// (wxpay_client_call_duration_seconds, wxpay_client_retries_total).
//
// Nothing secret reaches an attribute: no header, no query (it may hold ciphertext), no key,
// and no error message (which may quote an answer); error.type carries the class instead.
package otelwxpay

import (
	"context"
	"net"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/wxpay-oapi/wxpay/transport"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/wxpay-oapi/wxpay/otelwxpay"

// Attribute keys of this package's own (the others are OpenTelemetry's semantic conventions).
const (
	OperationKey          = attribute.Key("wxpay.operation")           // operationId in openapi.yaml
	OutcomeKey            = attribute.Key("wxpay.outcome")             // "ok" or "error"
	ErrorCodeKey          = attribute.Key("wxpay.error_code")          // WeChat Pay's code in a non-2xx answer
	AttemptsKey           = attribute.Key("wxpay.attempts")            // attempts a call made
	AttemptKey            = attribute.Key("wxpay.attempt")             // 1-based attempt number
	RequestIDKey          = attribute.Key("wxpay.request_id")          // WeChat Pay's Request-ID
	RetryWaitKey          = attribute.Key("wxpay.retry.wait")          // seconds before the next attempt
	FailoverToKey         = attribute.Key("wxpay.failover.to")         // the backup host, with its port if any
	FailoverCooldownKey   = attribute.Key("wxpay.failover.cooldown")   // seconds requests stay on the backup
	VerificationReasonKey = attribute.Key("wxpay.verification.reason") // transport.Reason
)

// Config says where the telemetry goes.
type Config struct {
	// TracerProvider makes the spans; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the metrics; nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
}

// durationBuckets are OpenTelemetry's recommended bounds for HTTP client durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

type instruments struct {
	tracer        trace.Tracer
	callDuration  metric.Float64Histogram
	attempts      metric.Int64Counter
	retries       metric.Int64Counter
	failovers     metric.Int64Counter
	verifications metric.Int64Counter
	rateLimitWait metric.Float64Histogram
	downloads     metric.Int64Counter
}

// New returns a transport.Observer that reports to cfg's providers; set it as
// transport.Config.Observer. It fails only when the MeterProvider refuses an instrument.
func New(cfg Config) (*transport.Observer, error) {
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(transport.Version))
	in := &instruments{tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(transport.Version))}
	var errs [7]error
	in.callDuration, errs[0] = m.Float64Histogram("wxpay.client.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of WeChat Pay API calls, retries, backoff and rate-limit waits included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	in.attempts, errs[1] = m.Int64Counter("wxpay.client.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts sent to WeChat Pay, retries included."))
	in.retries, errs[2] = m.Int64Counter("wxpay.client.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("Attempts that failed and were retried."))
	in.failovers, errs[3] = m.Int64Counter("wxpay.client.failovers", metric.WithUnit("{failover}"),
		metric.WithDescription("Moves from a failed primary host to the backup host."))
	in.verifications, errs[4] = m.Int64Counter("wxpay.client.verification.failures", metric.WithUnit("{failure}"),
		metric.WithDescription("2xx answers from WeChat Pay that failed verification (signature, serial, timestamp, schema)."))
	in.rateLimitWait, errs[5] = m.Float64Histogram("wxpay.client.rate_limit.wait", metric.WithUnit("s"),
		metric.WithDescription("Time spent waiting for the client-side rate limit before an attempt."),
		metric.WithExplicitBucketBoundaries(append([]float64{0}, durationBuckets...)...))
	in.downloads, errs[6] = m.Int64Counter("wxpay.client.certificate.downloads", metric.WithUnit("{download}"),
		metric.WithDescription("Downloads of the WeChat Pay platform certificates."))
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &transport.Observer{
		CallStart:           in.callStart,
		CallDone:            in.callDone,
		AttemptStart:        in.attemptStart,
		AttemptDone:         in.attemptDone,
		Retry:               in.retry,
		Failover:            in.failover,
		VerificationFailure: in.verificationFailure,
		RateLimitWait:       in.rateLimited,
		CertificateDownload: in.certificateDownload,
	}, nil
}

func (in *instruments) callStart(ctx context.Context, c transport.CallStart) context.Context {
	ctx, _ = in.tracer.Start(ctx, c.Operation, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(
		OperationKey.String(c.Operation), semconv.HTTPRequestMethodKey.String(c.Method), semconv.ServerAddress(hostOnly(c.Host))))
	return ctx
}

func (in *instruments) callDone(ctx context.Context, c transport.CallDone) {
	attrs := []attribute.KeyValue{OperationKey.String(c.Operation), OutcomeKey.String(outcome(c.Status, c.Err))}
	if c.Status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(c.Status))
	}
	et := errorType(c.Status, c.ErrorClass)
	if et != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
	}
	in.callDuration.Record(ctx, c.Duration.Seconds(), metric.WithAttributes(attrs...))

	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attrs...)
	span.SetAttributes(AttemptsKey.Int(c.Attempts))
	if c.Code != "" {
		span.SetAttributes(ErrorCodeKey.String(c.Code))
	}
	if et != "" {
		span.SetStatus(codes.Error, et)
	}
	span.End()
}

func (in *instruments) attemptStart(ctx context.Context, a transport.AttemptStart) context.Context {
	host, port := splitHost(a.Host, a.URL)
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(a.Method), semconv.ServerAddress(host),
		semconv.URLFull(a.URL), OperationKey.String(a.Operation), AttemptKey.Int(a.Attempt)}
	if port != 0 {
		attrs = append(attrs, semconv.ServerPort(port))
	}
	if a.Attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(a.Attempt-1))
	}
	ctx, _ = in.tracer.Start(ctx, a.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

func (in *instruments) attemptDone(ctx context.Context, a transport.AttemptDone) {
	host, _ := splitHost(a.Host, a.URL)
	attrs := []attribute.KeyValue{OperationKey.String(a.Operation), semconv.ServerAddress(host)}
	if a.Status != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(a.Status))
	}
	et := errorType(a.Status, a.ErrorClass)
	if et != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
	}
	in.attempts.Add(ctx, 1, metric.WithAttributes(attrs...))

	span := trace.SpanFromContext(ctx)
	if a.Status != 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(a.Status))
	}
	if a.RequestID != "" {
		span.SetAttributes(RequestIDKey.String(a.RequestID))
	}
	if et != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(et))
		span.SetStatus(codes.Error, et)
	}
	span.End()
}

func (in *instruments) retry(ctx context.Context, r transport.Retry) {
	in.retries.Add(ctx, 1, metric.WithAttributes(OperationKey.String(r.Operation), semconv.ErrorTypeKey.String(r.CauseClass)))
	trace.SpanFromContext(ctx).AddEvent("wxpay.retry", trace.WithAttributes(AttemptKey.Int(r.Attempt),
		semconv.ServerAddress(hostOnly(r.Host)), semconv.ErrorTypeKey.String(r.CauseClass), RetryWaitKey.Float64(r.Wait.Seconds())))
}

func (in *instruments) failover(ctx context.Context, f transport.Failover) {
	from, to := hostOnly(f.From), f.To
	in.failovers.Add(ctx, 1, metric.WithAttributes(OperationKey.String(f.Operation), semconv.ServerAddress(from), FailoverToKey.String(to)))
	trace.SpanFromContext(ctx).AddEvent("wxpay.failover", trace.WithAttributes(semconv.ServerAddress(from),
		FailoverToKey.String(to), FailoverCooldownKey.Float64(f.Cooldown.Seconds())))
}

func (in *instruments) verificationFailure(ctx context.Context, v transport.VerificationFailure) {
	in.verifications.Add(ctx, 1, metric.WithAttributes(OperationKey.String(v.Operation), VerificationReasonKey.String(string(v.Reason))))
	attrs := []attribute.KeyValue{VerificationReasonKey.String(string(v.Reason)), semconv.ServerAddress(hostOnly(v.Host))}
	if v.RequestID != "" {
		attrs = append(attrs, RequestIDKey.String(v.RequestID))
	}
	trace.SpanFromContext(ctx).AddEvent("wxpay.verification_failure", trace.WithAttributes(attrs...))
}

func (in *instruments) rateLimited(ctx context.Context, w transport.RateLimitWait) {
	in.rateLimitWait.Record(ctx, w.Wait.Seconds(), metric.WithAttributes(OperationKey.String(w.Operation), OutcomeKey.String(outcome(200, w.Err))))
}

func (in *instruments) certificateDownload(ctx context.Context, d transport.CertificateDownload) {
	attrs := []attribute.KeyValue{semconv.ServerAddress(hostOnly(d.Host)), OutcomeKey.String(outcome(200, d.Err))}
	if d.ErrorClass != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(d.ErrorClass))
	}
	in.downloads.Add(ctx, 1, metric.WithAttributes(attrs...))
}

// outcome is "ok" for a 2xx answer delivered, else "error".
func outcome(status int, err error) string {
	if err == nil && status >= 200 && status <= 299 {
		return "ok"
	}
	return "error"
}

// errorType is error.type: the error's class, else a non-2xx status, else "".
func errorType(status int, class string) string {
	switch {
	case class != "":
		return class
	case status != 0 && (status < 200 || status > 299):
		return strconv.Itoa(status)
	}
	return ""
}

// hostOnly drops a port from host.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// splitHost returns host's name and port, the port defaulting from u's scheme.
func splitHost(host, u string) (string, int) {
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		switch {
		case len(u) >= 8 && u[:8] == "https://":
			return host, 443
		case len(u) >= 7 && u[:7] == "http://":
			return host, 80
		}
		return host, 0
	}
	port, _ := strconv.Atoi(p)
	return h, port
}
