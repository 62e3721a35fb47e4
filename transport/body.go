package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrInterimAnswer is returned (wrapped) when the final answer to a request has a 1xx
// status, such as 101 Switching Protocols: WeChat Pay never sends one, and after a 101
// net/http hands over the raw connection as the body, which would never end.
var ErrInterimAnswer = errors.New("transport: a 1xx answer is not a WeChat Pay answer")

// checkRequest rejects, like net/http's Transport, a request it could only panic on.
func checkRequest(req *http.Request) error {
	switch {
	case req == nil:
		return errors.New("transport: nil *http.Request")
	case req.URL == nil:
		if req.Body != nil {
			req.Body.Close()
		}
		return errors.New("transport: nil Request.URL")
	case req.Header == nil:
		if req.Body != nil {
			req.Body.Close()
		}
		return errors.New("transport: nil Request.Header")
	}
	return nil
}

// checkAnswer rejects what base must never return and WeChat Pay never sends: no response
// at all (net/http's Client says the same of a RoundTripper returning nil, nil), or a 1xx
// final answer, whose body it closes. A missing body or header reads as empty.
func checkAnswer(base http.RoundTripper, resp *http.Response, host string) error {
	if resp == nil {
		return fmt.Errorf("transport: Config.Base (%T) returned a nil *http.Response with a nil error", base)
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	if resp.StatusCode < 200 {
		resp.Body.Close()
		return fmt.Errorf("%w: HTTP %d from %s", ErrInterimAnswer, resp.StatusCode, host)
	}
	return nil
}

// readBody reads at most limit+1 bytes of resp's body and closes it. The read ends when
// ctx does, whatever the body is: a body that ignores the request's context (the raw
// connection after a 101, or one from a custom Base) is closed under it.
func readBody(ctx context.Context, resp *http.Response, limit int64) ([]byte, error) {
	stop := func() bool { return false }
	if ctx.Done() != nil { // a context that can end: closing the body unblocks the read
		stop = context.AfterFunc(ctx, func() { resp.Body.Close() })
	}
	b, err := readAtMost(resp.Body, limit+1, resp.ContentLength)
	stop()
	resp.Body.Close()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return b, err
}
