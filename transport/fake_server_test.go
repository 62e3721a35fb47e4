package transport_test

// An independent server side of the WeChat Pay protocol, written from the docs with
// crypto/rsa directly (not with this package's functions), so a bug in transport/
// cannot hide behind the same bug here.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testMchID      = "1900000001"
	testCertSerial = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"
	testPubKeyID   = "PUB_KEY_ID_0114232134912410000000000000"
)

type testKeys struct {
	merchant, wechat, other *rsa.PrivateKey
}

var (
	keysOnce sync.Once
	keys     testKeys
)

// theKeys returns three real RSA-2048 keys, generated once per test binary.
func theKeys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		keys = testKeys{merchant: gen(), wechat: gen(), other: gen()}
	})
	return keys
}

// fakeWechatPay is a loopback WeChat Pay: it verifies the Authorization header, decrypts
// bal_account_no, answers, and signs the answer; tamper edits the signed answer.
type fakeWechatPay struct {
	*httptest.Server
	t        testing.TB
	keys     testKeys
	hits     atomic.Int64
	mu       sync.Mutex
	lastURI  string
	lastPlan string // decrypted bal_account_no
	status   int
	body     string // overrides the answer body when set
	tamper   func(h http.Header, body []byte) []byte
}

func newFakeWechatPay(t testing.TB) *fakeWechatPay {
	f := &fakeWechatPay{t: t, keys: theKeys(t), status: 200}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeWechatPay) serve(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	f.mu.Lock()
	f.lastURI = r.URL.RequestURI()
	f.mu.Unlock()
	if err := checkAuthorization(r, &f.keys.merchant.PublicKey); err != nil {
		f.answer(w, 401, fmt.Sprintf(`{"code":"SIGN_ERROR","message":%q}`, err.Error()))
		return
	}
	if got := r.Header.Get("Wechatpay-Serial"); got != testPubKeyID {
		f.answer(w, 400, `{"code":"PARAM_ERROR","message":"Wechatpay-Serial"}`)
		return
	}
	var body string
	switch {
	case strings.HasPrefix(r.URL.Path, "/v3/ecommerce/fund/balance/"):
		id := strings.TrimPrefix(r.URL.Path, "/v3/ecommerce/fund/balance/")
		at := r.URL.Query().Get("account_type")
		if at == "" {
			at = "BASIC"
		}
		body = fmt.Sprintf(`{"sub_mchid":%q,"available_amount":10000,"pending_amount":1,"account_type":%q}`, id, at)
	case r.URL.Path == "/v3/aggracct-bc/wb-channel/account/balance":
		ct, err := base64.StdEncoding.DecodeString(r.URL.Query().Get("bal_account_no"))
		if err != nil {
			f.answer(w, 400, `{"code":"PARAM_ERROR","message":"bal_account_no not base64"}`)
			return
		}
		pt, err := rsa.DecryptOAEP(sha1.New(), nil, f.keys.wechat, ct, nil)
		if err != nil {
			f.answer(w, 400, `{"code":"PARAM_ERROR","message":"bal_account_no does not decrypt"}`)
			return
		}
		f.mu.Lock()
		f.lastPlan = string(pt)
		f.mu.Unlock()
		body = `{"in_transit_reduction_exist":false,"balance":1}`
	default:
		f.answer(w, 404, `{"code":"NOT_FOUND","message":"no such path"}`)
		return
	}
	f.mu.Lock()
	status, override := f.status, f.body
	f.mu.Unlock()
	if override != "" {
		body = override
	}
	f.answer(w, status, body)
}

// answer signs body like WeChat Pay, lets tamper edit it, and writes it.
func (f *fakeWechatPay) answer(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := "593BEC0C930BF1AFEB40B4A08C8FB242"
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", signWith(f.keys.wechat, ts, nonce, []byte(body)))
	h.Set("Wechatpay-Serial", testPubKeyID)
	h.Set("Request-ID", "08F78BB5AF0610D302A8F2D15628A3FE5E")
	out := []byte(body)
	f.mu.Lock()
	tamper := f.tamper
	f.mu.Unlock()
	if tamper != nil {
		out = tamper(h, out)
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// checkAuthorization verifies a request's Authorization header as WeChat Pay does.
func checkAuthorization(r *http.Request, pub *rsa.PublicKey) error {
	const scheme = "WECHATPAY2-SHA256-RSA2048 "
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, scheme) {
		return fmt.Errorf("scheme")
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(strings.TrimPrefix(auth, scheme), ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return fmt.Errorf("field %q", kv)
		}
		fields[k] = v[1 : len(v)-1]
	}
	if fields["mchid"] != testMchID || fields["serial_no"] != testCertSerial || len(fields["nonce_str"]) != 32 {
		return fmt.Errorf("mchid/serial_no/nonce_str")
	}
	ts, err := strconv.ParseInt(fields["timestamp"], 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return fmt.Errorf("timestamp")
	}
	sig, err := base64.StdEncoding.DecodeString(fields["signature"])
	if err != nil {
		return fmt.Errorf("signature encoding")
	}
	msg := r.Method + "\n" + r.URL.RequestURI() + "\n" + fields["timestamp"] + "\n" + fields["nonce_str"] + "\n\n"
	digest := sha256.Sum256([]byte(msg))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return fmt.Errorf("signature")
	}
	return nil
}

func (f *fakeWechatPay) set(fn func(f *fakeWechatPay)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeWechatPay) uri() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastURI
}
