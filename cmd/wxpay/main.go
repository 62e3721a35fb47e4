// Command wxpay queries WeChat Pay APIv3 balances from the command line, and runs the
// wxpaytest server for a first look (wxpay demo) or for clients in other languages
// (wxpay mock).
//
// Usage:
//
//	wxpay demo
//	wxpay ecommerce-balance --sub-mchid ID [--account-type TYPE] [-o json|table]
//	wxpay channel-balance --target-mchid ID --bal-account-no PLAINTEXT [-o json|table]
//	wxpay ecommerce-balance --sub-mchids FILE|- [--account-type TYPE,…|all] [-o jsonl|csv|table] [--out FILE [--resume]]
//	wxpay channel-balance --from FILE|- [-o jsonl|csv|table] [--out FILE [--resume]]
//	wxpay mock [--addr 127.0.0.1:8080] [--keys DIR] [--mode public-key|platform-certificate] [--allow-remote]
//	wxpay help [command]
//
// The balance commands read their credentials from flags, from --env-file or from the
// environment, through wxpay.ConfigFromEnv: WXPAY_MCHID (--caller-mchid, the merchant that
// calls), WXPAY_CERT_SERIAL_NO, WXPAY_PRIVATE_KEY_FILE, and WXPAY_PUBLIC_KEY_ID with
// WXPAY_PUBLIC_KEY_FILE, or WXPAY_PLATFORM_CERT_FILE, or WXPAY_APIV3_KEY(_FILE); and
// WXPAY_BASE_URL (default: the first server of openapi.yaml).
//
// Exit status: 0 success; 1 an API error (JSON on stderr), a failed verification or no
// answer; 2 a usage, settings or input error; 130 interrupted. A bulk run (--sub-mchids,
// --from) writes one record per row and exits 1 when any row failed. wxpay mock runs until
// SIGINT or SIGTERM and then exits 0.
//
// The balance commands and the demo use only the library's public API: package transport
// signs and verifies, package generated is the client, wxpay.Result checks the answer,
// package wxpaytest is the demo's server. wxpay mock also serves the spec's reference page
// at /docs with the module's internal/specdocs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
