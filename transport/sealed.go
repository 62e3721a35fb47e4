package transport

import (
	"crypto/sha256"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// sealedCacheSize bounds how many recent ciphertexts a Transport remembers the key of.
const sealedCacheSize = 4096

// sealedCache remembers which key serial encrypted each recent ciphertext, so a request
// names the key its fields were encrypted with even when the preferred key changed since.
// Its zero value is empty and ready; it grows only as Encrypt is called, so a merchant
// that never encrypts pays nothing for it.
type sealedCache struct {
	mu    sync.Mutex
	m     map[[32]byte]string
	order [][32]byte // ring of keys in m, oldest at next
	next  int
}

func (c *sealedCache) put(ciphertext, serial string) {
	k := sha256.Sum256(stringBytes(ciphertext))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[[32]byte]string)
	}
	if len(c.order) < sealedCacheSize {
		c.order = append(c.order, k)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = k
		c.next = (c.next + 1) % sealedCacheSize
	}
	c.m[k] = serial
}

func (c *sealedCache) get(ciphertext string) (string, bool) {
	k := sha256.Sum256(stringBytes(ciphertext))
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	return s, ok
}

// keyFor chooses the WeChat Pay key a request names in Wechatpay-Serial: the caller's own
// Wechatpay-Serial header if set, else the key that encrypted its sensitive fields, else the
// preferred key. One request never mixes keys.
func (t *Transport) keyFor(req *http.Request, c *call, encrypted []sealedParam) (verifyKey, error) {
	now := t.now()
	serial := req.Header.Get(protocol.HeaderSerial)
	for _, e := range encrypted {
		s, ok := t.sealed.get(e.value)
		if !ok {
			continue
		}
		if serial != "" && s != serial {
			return verifyKey{}, &InputError{Operation: c.op.id, Parameter: e.name, In: openapi3.ParameterInQuery,
				Reason: "encrypted with a different WeChat Pay key than the request's other fields or Wechatpay-Serial: encrypt every field of one request with one key"}
		}
		serial = s
	}
	if serial == "" {
		key, ok := t.keys.preferred(now)
		if !ok {
			return verifyKey{}, errNoValidKey
		}
		return key, nil
	}
	key, ok := t.keys.lookup(serial, now)
	if !ok {
		return verifyKey{}, &InputError{Operation: c.op.id, Parameter: protocol.HeaderSerial, In: openapi3.ParameterInHeader,
			Reason: "names no trusted, valid WeChat Pay key (the key may have expired since the fields were encrypted: encrypt them again)"}
	}
	return key, nil
}
