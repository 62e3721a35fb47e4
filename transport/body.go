package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrInterimAnswer is returned (wrapped) when the final answer to a request has a 1xx
// status, such as 101 Switching Protocols: WeChat Pay never sends one, and after a 101
// net/http hands over the raw connection as the body, which would never end.
var ErrInterimAnswer = errors.New("transport: a 1xx answer is not a WeChat Pay answer")

// checkAnswer rejects a 1xx final answer, which WeChat Pay never sends, closing its body.
func checkAnswer(resp *http.Response, host string) error {
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
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	stop()
	resp.Body.Close()
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return b, err
}
