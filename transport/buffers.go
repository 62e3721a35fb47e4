package transport

import (
	"net/http"
	"net/url"
	"sync"
	"unsafe"
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

// appendRequestMessage is RequestMessage appended to dst, with uri written as
// (*url.URL).RequestURI would return it.
func appendRequestMessage(dst []byte, method string, u *url.URL, timestamp int64, nonce string, body []byte) []byte {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	if u.Opaque != "" {
		dst = append(dst, u.RequestURI()...)
	} else {
		p := u.EscapedPath()
		if p == "" {
			p = "/"
		}
		dst = append(dst, p...)
		if u.ForceQuery || u.RawQuery != "" {
			dst = append(append(dst, '?'), u.RawQuery...)
		}
	}
	dst = append(dst, '\n')
	dst = appendInt(dst, timestamp)
	dst = append(dst, '\n')
	dst = append(dst, nonce...)
	dst = append(dst, '\n')
	dst = append(dst, body...)
	return append(dst, '\n')
}

func appendInt(dst []byte, n int64) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n // a Unix time in seconds is far from math.MinInt64
	}
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			break
		}
	}
	return append(dst, d[i:]...)
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
	put(HeaderSerial, serial)
	if out.Get("Accept") == "" {
		put("Accept", "application/json")
	}
	if ua := out.Get("User-Agent"); ua == "" {
		put("User-Agent", t.userAgent)
	} else {
		put("User-Agent", ua+" "+t.userAgent)
	}
	return out
}

// stringBytes views s as bytes without copying; the bytes must not be written.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
