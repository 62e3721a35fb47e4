package transport

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"
	"unsafe"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// msgBuffers holds the buffers that signed and verified messages are assembled in: each is
// hashed at once and never kept, so one call's buffer serves the next.
var msgBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBuffer bounds the buffers kept for reuse, so one large body does not stay pinned.
const maxPooledBuffer = 64 << 10

func getBuffer() *[]byte { return msgBuffers.Get().(*[]byte) }

func putBuffer(bp *[]byte, b []byte) {
	if cap(b) <= maxPooledBuffer {
		*bp = b[:0]
		msgBuffers.Put(bp)
	}
}

// appendRequestMessage is protocol.AppendRequestMessage with the URL written as
// (*url.URL).RequestURI would return it, assembled on the stack rather than allocated.
func appendRequestMessage(dst []byte, method string, u *url.URL, timestamp int64, nonce string, body []byte) []byte {
	var scratch [256]byte // a longer request target grows onto the heap
	uri := appendRequestURI(scratch[:0], u)
	return protocol.AppendRequestMessage(dst, method, unsafe.String(unsafe.SliceData(uri), len(uri)), timestamp, nonce, body)
}

// appendRequestURI appends u.RequestURI() to dst without allocating the string.
func appendRequestURI(dst []byte, u *url.URL) []byte {
	if u.Opaque != "" {
		return append(dst, u.RequestURI()...)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	dst = append(dst, p...)
	if u.ForceQuery || u.RawQuery != "" {
		dst = append(append(dst, '?'), u.RawQuery...)
	}
	return dst
}

// sentHeader returns a copy of h, the caller's header, with the headers every attempt
// carries set — one map and one array for all values, where Clone and four Sets allocated
// a slice per header set.
func (t *Transport) sentHeader(h http.Header, authorization, serial string) http.Header {
	n := 4
	for _, vs := range h {
		n += len(vs)
	}
	vals := make([]string, 0, n)
	out := make(http.Header, len(h)+4)
	put := func(k string, vs ...string) {
		start := len(vals)
		vals = append(vals, vs...)
		out[k] = vals[start:len(vals):len(vals)]
	}
	for k, vs := range h {
		if vs == nil {
			out[k] = nil
			continue
		}
		put(k, vs...)
	}
	put("Authorization", authorization)
	put(protocol.HeaderSerial, serial)
	if first(out, "Accept") == "" { // canonical names: read from the map directly
		put("Accept", "application/json")
	}
	if ua := first(out, "User-Agent"); ua == "" {
		put("User-Agent", t.userAgent)
	} else {
		put("User-Agent", ua+" "+t.userAgent)
	}
	return out
}

// stringBytes views s as bytes without copying; the bytes must not be written.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// appendSplit is strings.Split appending to dst, so a caller's array can hold the parts.
func appendSplit(dst []string, s string, sep byte) []string {
	for {
		i := bytes.IndexByte(stringBytes(s), sep)
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

// readAtMost reads r to its end or to n bytes, whichever comes first, like
// io.ReadAll(io.LimitReader(r, n)), into one buffer sized by hint (a Content-Length; -1
// when unknown) when that is small; larger bodies grow as they arrive.
func readAtMost(r io.Reader, n, hint int64) ([]byte, error) {
	size := int64(512)
	if hint >= 0 && hint < maxPooledBuffer {
		size = hint + 1 // one more byte, to see the end without growing
	}
	// The hint is the server's word: never trusted for more than a small buffer up front.
	b := make([]byte, 0, min(size, n))
	for int64(len(b)) < n {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		m, err := r.Read(b[len(b):min(int64(cap(b)), n)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// bodyReader is the verified body handed to the caller: a bytes.Reader that closes, in
// one allocation (io.NopCloser over bytes.NewReader took two).
type bodyReader struct{ bytes.Reader }

func newBodyReader(b []byte) *bodyReader {
	r := &bodyReader{}
	r.Reset(b)
	return r
}

// Close does nothing: the body is in memory.
func (*bodyReader) Close() error { return nil }

// sentRequest is the request an attempt sends and its URL, allocated together.
type sentRequest struct {
	req http.Request
	url url.URL
}

// sendCopy returns the request an attempt sends: a shallow copy of req, as req.WithContext
// makes, with its own copy of target as its URL (target may be the caller's req.URL) —
// nothing the caller holds is edited. The caller gives it its own header.
func sendCopy(req *http.Request, target *url.URL) *http.Request {
	s := &sentRequest{req: *req, url: *target}
	s.req.URL, s.req.Host = &s.url, ""
	return &s.req
}
