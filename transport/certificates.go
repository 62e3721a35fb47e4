package transport

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/protocol"
)

// DefaultCertificateRefresh is how often platform certificates are downloaded again when
// Config.APIv3Key is set and Config.CertificateRefresh is 0.
const DefaultCertificateRefresh = 12 * time.Hour

// MinCertificateRefresh is the shortest Config.CertificateRefresh New accepts: every refresh
// is a signed GET /v3/certificates, and a shorter period would flood WeChat Pay with them.
const MinCertificateRefresh = time.Minute

// minRefreshGap is how often, at most, an unknown Wechatpay-Serial triggers a download.
const minRefreshGap = time.Minute

// errTooSoon reports a download skipped because the last one was less than minRefreshGap
// ago; when that one failed, refresh wraps both.
var errTooSoon = errors.New("transport: platform certificates were downloaded less than a minute ago")

// certificates keeps a Transport's platform certificates fresh from GET /v3/certificates:
// on a schedule in the background, and when an answer names an unknown serial.
type certificates struct {
	t        *Transport
	apiV3Key Secret
	every    time.Duration

	turn chan struct{} // one download at a time: hold a token to download; waiting honours the context
	last time.Time     // when the last download started; read and written holding turn
	fail error         // the last download's error, nil after a success; read and written holding turn
	host atomic.Pointer[url.URL]

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newCertificates(t *Transport, apiV3Key Secret, every time.Duration) *certificates {
	c := &certificates{t: t, apiV3Key: NewSecret(apiV3Key.bytes()), every: every,
		turn: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if t.ops.primary != nil {
		c.host.Store(t.ops.primary)
	}
	go c.loop()
	return c
}

// useHost records the scheme and host requests go to, for the background refresh.
func (c *certificates) useHost(u *url.URL) {
	if cur := c.host.Load(); cur != nil && cur.Host == u.Host && cur.Scheme == u.Scheme {
		return
	}
	c.host.Store(&url.URL{Scheme: u.Scheme, Host: u.Host})
}

// loop refreshes on a schedule until close.
func (c *certificates) loop() {
	defer close(c.done)
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			go func() { // let close interrupt a download in progress
				select {
				case <-c.stop:
				case <-ctx.Done():
				}
				cancel()
			}()
			c.refreshInBackground(ctx)
			cancel()
		}
	}
}

// refreshInBackground runs a scheduled refresh. A panic in it (a caller's Base, Logger or
// Signer) is logged, never allowed to take down the process from this goroutine.
func (c *certificates) refreshInBackground(ctx context.Context) {
	defer func() {
		if p := recover(); p != nil {
			defer func() { _ = recover() }() // the Logger may be what panicked: then nothing can be told
			c.t.log.LogAttrs(ctx, slog.LevelError, "wxpay platform certificate refresh panicked",
				slog.String("panic", fmt.Sprintf("%.200v", p)), slog.String("stack", string(debug.Stack())))
		}
	}()
	_ = c.refresh(ctx, nil, true)
}

func (c *certificates) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

// refresh downloads the platform certificates from base (nil: the last host used) and adds
// them to the keyring. Unless forced, it runs at most once per minute. While another
// download runs it waits for that one, or until ctx ends.
func (c *certificates) refresh(ctx context.Context, base *url.URL, force bool) error {
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("transport: waiting for the platform-certificate download in progress: %w", ctx.Err())
	}
	defer func() { <-c.turn }()
	now := c.t.now()
	if !force && !c.last.IsZero() && now.Sub(c.last) < minRefreshGap {
		if c.fail != nil {
			return fmt.Errorf("%w, and it failed: %w", errTooSoon, c.fail)
		}
		return errTooSoon
	}
	c.last = now
	if base == nil {
		base = c.host.Load()
	}
	if base == nil {
		return errors.New("transport: no host to download platform certificates from yet")
	}
	start := time.Now()
	certs, err := c.download(ctx, base)
	c.fail = err
	if c.t.observer != nil {
		c.t.observeDownload(ctx, base.Host, start, len(certs), err)
	}
	if err != nil {
		c.t.log.LogAttrs(ctx, slog.LevelWarn, "wxpay platform certificates not refreshed", slog.String("host", base.Host), slog.String("error", err.Error()))
		return err
	}
	kept := c.t.keys.replaceDownloaded(certs, c.t.now())
	serials := make([]string, len(certs))
	for i, cert := range certs {
		serials[i] = CertificateSerial(cert)
	}
	c.t.log.LogAttrs(ctx, slog.LevelInfo, "wxpay platform certificates refreshed", slog.String("host", base.Host),
		slog.String("serials", strings.Join(serials, ",")), slog.Int("kept", kept))
	return nil
}

// download fetches, verifies and decrypts the platform certificates. Once any key is trusted
// (configured, or downloaded before), the answer must be signed by one of them, valid now,
// and it is checked before anything in it is read: knowing the APIv3 key is not enough to
// install a key. Only with nothing trusted at all (bootstrapping from Config.APIv3Key alone)
// may the signature verify with one of the certificates the answer carries.
func (c *certificates) download(ctx context.Context, base *url.URL) ([]*x509.Certificate, error) {
	t := c.t
	req, err := generated.NewListCertificatesRequest(base.Scheme + "://" + base.Host)
	if err != nil {
		return nil, err
	}
	req = req.WithContext(ctx)
	checked, err := t.ops.check(req)
	if err != nil {
		return nil, err
	}
	now := t.now()
	bootstrap := t.keys.empty() // cannot change meanwhile: only a download (we hold the turn) adds keys
	serial := ""
	if key, ok := t.keys.preferred(now); ok {
		serial = key.serial
	}
	out, err := t.sign(req, req.URL, nil, serial, now)
	if err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if err := checkAnswer(t.base, resp, base.Host); err != nil {
		return nil, err
	}
	body, err := readBody(ctx, resp, t.maxBody)
	switch {
	case err != nil:
		return nil, err
	case int64(len(body)) > t.maxBody:
		return nil, answerFailure(resp.Header, ReasonBodyTooLarge, "")
	case resp.StatusCode != 200:
		return nil, NewAPIError(resp.StatusCode, resp.Header, body)
	}
	trusted := func(serial string) (*rsa.PublicKey, bool) {
		k, ok := t.keys.lookup(serial, now)
		return k.pub, ok
	}
	if !bootstrap {
		if err := VerifyResponse(trusted, resp.Header, body, now); err != nil {
			var ve *VerificationError
			if errors.As(err, &ve) && ve.Reason == ReasonUnknownSerial {
				ve.Detail = "the certificate list must be signed by a key already trusted (configured, or downloaded before); " +
					"a certificate it carries is trusted only while no key is"
			}
			return nil, err
		}
	}
	if _, err := checked.op.checkResponse(resp, body); err != nil {
		return nil, bodyCheckError(resp, err)
	}
	var list generated.CertificateList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, answerFailure(resp.Header, ReasonSchema, err.Error())
	}
	certs, err := c.decrypt(list)
	if err != nil {
		return nil, err
	}
	if bootstrap {
		carried := func(serial string) (*rsa.PublicKey, bool) {
			for _, cert := range certs {
				if CertificateSerial(cert) == serial && !now.Before(cert.NotBefore) && !now.After(cert.NotAfter) {
					return cert.PublicKey.(*rsa.PublicKey), true
				}
			}
			return nil, false
		}
		if err := VerifyResponse(carried, resp.Header, body, now); err != nil {
			return nil, err
		}
	}
	return certs, nil
}

// decrypt opens each encrypted certificate with the APIv3 key and checks it names its serial.
func (c *certificates) decrypt(list generated.CertificateList) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, 0, len(list.Data))
	for _, item := range list.Data {
		ec := item.EncryptCertificate
		if ec.Algorithm != generated.AEADAES256GCM {
			return nil, fmt.Errorf("transport: platform certificate %s: unsupported algorithm %s", quoteUntrusted(item.SerialNo), quoteUntrusted(string(ec.Algorithm)))
		}
		pemBytes, err := protocol.DecryptAEAD(c.apiV3Key.bytes(), ec.Nonce, ec.AssociatedData, ec.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("transport: platform certificate %s: %w", quoteUntrusted(item.SerialNo), err)
		}
		cert, err := LoadCertificate(pemBytes)
		if err != nil {
			return nil, err
		}
		if got := CertificateSerial(cert); !strings.EqualFold(got, item.SerialNo) {
			return nil, fmt.Errorf("transport: platform certificate listed as %s has serial %s", quoteUntrusted(item.SerialNo), got)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("transport: GET /v3/certificates listed no certificates")
	}
	return certs, nil
}
