package wxpay_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// The README's example against the fake WeChat Pay: its TransportConfig is a merchant of
// that server (its keys, its serial), so the same code runs in a test.
func Example_fake() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	client, err := wxpay.NewClient(srv.URL, srv.TransportConfig())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("available (fen):", bal.AvailableAmount)

	account, err := client.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
	if err != nil {
		log.Fatal(err)
	}
	quota, err := wxpay.Result(client.QueryAccountBalanceWithResponse(ctx,
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: account}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("channel quota:", *quota.Balance)
	// Output:
	// available (fen): 10000
	// channel quota: 1
}

// Each error a call returns, told apart with errors.As on the wxpay types. A RetryError
// wraps the last attempt's error, so it is tested before APIError.
func ExampleResult_errors() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	client, _ := wxpay.NewClient(srv.URL, srv.TransportConfig())
	ctx := context.Background()
	explain := func(_ *generated.ECommerceBalance, err error) {
		var (
			inputErr  *wxpay.InputError
			verifyErr *wxpay.VerificationError
			retryErr  *wxpay.RetryError
			apiErr    *wxpay.APIError
		)
		switch {
		case errors.As(err, &inputErr):
			fmt.Println("InputError, nothing sent:", inputErr.Parameter)
		case errors.As(err, &verifyErr):
			fmt.Println("VerificationError, answer discarded:", verifyErr.Reason == wxpay.ReasonBadSignature)
		case errors.As(err, &retryErr):
			fmt.Println("RetryError after", retryErr.Attempts, "attempts, last:", errors.As(err, &apiErr), apiErr.Code)
		case errors.As(err, &apiErr):
			fmt.Println("APIError:", apiErr.StatusCode, apiErr.Code)
		}
	}

	explain(wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, strings.Repeat("1", 40), nil)))
	explain(wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000999", nil))) // no such sub-merchant
	srv.QueueFault(wxpaytest.Fault{TamperBody: true})
	explain(wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)))
	srv.QueueFault(wxpaytest.Fault{Status: 500, Times: wxpaytest.EveryAttempt})
	explain(wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)))
	// Output:
	// InputError, nothing sent: sub_mchid
	// APIError: 403 NO_AUTH
	// VerificationError, answer discarded: true
	// RetryError after 3 attempts, last: true SYSTEM_ERROR
}

// kmsSigner stands for a merchant key held in a KMS or HSM: the process only asks it to
// sign. (Here it wraps a key in memory; a real one would call the KMS in Sign.)
type kmsSigner struct{ key *rsa.PrivateKey }

func (s kmsSigner) Public() crypto.PublicKey { return s.key.Public() }

func (s kmsSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return rsa.SignPKCS1v15(nil, s.key, opts.HashFunc(), digest) // SHA256withRSA, as WeChat Pay requires
}

// A merchant key in a KMS: Config.Signer instead of Config.PrivateKey.
func Example_signer() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	cfg := srv.TransportConfig()
	cfg.Signer, cfg.PrivateKey = kmsSigner{key: cfg.PrivateKey}, nil
	client, err := wxpay.NewClient(srv.URL, cfg)
	if err != nil {
		log.Fatal(err)
	}
	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
	fmt.Println(bal.AvailableAmount, err)
	// Output: 10000 <nil>
}

// Answers verified with a platform certificate instead of the WeChat Pay public key.
func Example_platformCertificates() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	cfg := srv.TransportConfig() // it has both; keep only the certificate
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey = "", nil
	client, err := wxpay.NewClient(srv.URL, cfg)
	if err != nil {
		log.Fatal(err)
	}
	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
	signedWith := srv.Requests()[0].SignedWith
	fmt.Println(bal.AvailableAmount, err, signedWith == transport.CertificateSerial(cfg.PlatformCertificates[0]))
	// Output: 10000 <nil> true
}

// Platform certificates downloaded with the APIv3 key: no WeChat Pay key configured at
// all. The first answer names a serial the client does not know, so it downloads the
// certificates from that host (GET /v3/certificates, decrypted with the APIv3 key) and
// verifies the answer with them; from then on Encrypt has a key too.
func Example_certificateDownload() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	cfg := srv.TransportConfig()
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil
	cfg.APIv3Key = srv.Keys().APIv3Key
	client, err := wxpay.NewClient(srv.URL, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close() // stops the background refresh
	ctx := context.Background()

	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil))
	fmt.Println(bal.AvailableAmount, err)
	_, err = client.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
	fmt.Println("encrypt:", err)
	var seen []string
	for _, r := range srv.Requests() {
		seen = append(seen, fmt.Sprint(r.Operation, " ", r.Status))
	}
	sort.Strings(seen)
	fmt.Println(strings.Join(seen, ", "))
	// Output:
	// 10000 <nil>
	// encrypt: <nil>
	// ListCertificates 200, QueryECommerceBalance 200
}

// sharedLimiter stands for a limiter shared by a fleet (see README: Redis): here it lets
// every call through and records which budget each one was charged to.
type sharedLimiter struct {
	mu   sync.Mutex
	seen map[string]float64
}

func (l *sharedLimiter) Wait(ctx context.Context, key string, limit transport.RateLimit) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen[key] = limit.QPS
	return ctx.Err()
}

// A custom Limiter: the transport calls it before every attempt of a rate-limited
// operation (x-wechatpay-rate-limit in openapi.yaml), with the key the docs give.
func Example_limiter() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	lim := &sharedLimiter{seen: map[string]float64{}}
	cfg := srv.TransportConfig()
	cfg.Limiter = lim
	client, _ := wxpay.NewClient(srv.URL, cfg)
	account, _ := client.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
	_, err := wxpay.Result(client.QueryAccountBalanceWithResponse(context.Background(),
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: account}))
	keys := make([]string, 0, len(lim.seen))
	for k := range lim.seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s: %g qps\n", k, lim.seen[k])
	}
	fmt.Println(err)
	// Output:
	// QueryAccountBalance mchid=1900016681: 100 qps
	// <nil>
}

// Retries and failover: the primary answers 500 to every attempt, so the transport fails
// over to the backup (the same WeChat Pay: same keys), which answers.
func Example_failover() {
	primary := wxpaytest.NewServer()
	defer primary.Close()
	backup := wxpaytest.NewServer(wxpaytest.WithKeys(primary.Keys()))
	defer backup.Close()
	primary.QueueFault(wxpaytest.Fault{Status: 500, Times: wxpaytest.EveryAttempt})

	cfg := primary.TransportConfig()
	cfg.BackupURL = backup.URL
	client, _ := wxpay.NewClient(primary.URL, cfg)
	resp, err := client.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)
	bal, err := wxpay.Result(resp, err)
	backupURL, _ := url.Parse(backup.URL)
	fmt.Println(bal.AvailableAmount, err, "answered by the backup:", resp.HTTPResponse.Request.URL.Host == backupURL.Host)
	fmt.Println("primary:", primary.Requests()[0].Code, "backup:", backup.Requests()[0].Status)
	// Output:
	// 10000 <nil> answered by the backup: true
	// primary: SYSTEM_ERROR backup: 200
}
