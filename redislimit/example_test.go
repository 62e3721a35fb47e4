package redislimit_test

import (
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/redislimit"
)

// Every instance of a fleet builds its Transport with a Limiter on the same Redis and
// Prefix: together they keep each target merchant's 100 qps. Compiled (and kept identical
// to README.md by TestREADMEExample), not run: it needs a Redis and real keys.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis.internal:6379", // short timeouts: fall back fast
		DialTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	limiter, err := redislimit.New(redislimit.Config{Client: rdb, Prefix: "wxpay:prod:"})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := wxpay.ConfigFromEnv(os.LookupEnv)
	if err != nil {
		log.Fatal(err)
	}
	cfg.Transport.Limiter = limiter // shared while Redis answers, per instance while it does not
	client, err := wxpay.NewClient(cfg.BaseURL, cfg.Transport)
	if err != nil {
		log.Fatal(err)
	}
	_ = client // query balances as usual: each attempt waits for the shared limit first
}
