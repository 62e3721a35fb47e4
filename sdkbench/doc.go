// Package sdkbench measures this library against the official WeChat Pay Go SDK
// (github.com/wechatpay-apiv3/wechatpay-go) on the same call, the same keys and the same
// canned, signed answer, paired against the RSA floor (one signature, one verification).
//
// It is a module of its own so the official SDK stays out of the core module's
// dependencies. It holds only tests and benchmarks:
//
//	cd sdkbench && go test -run '^$' -bench '^BenchmarkVsFloor$' -benchmem
//
// BenchmarkWithoutSigning splits a call into RSA and each client's own work: the same
// calls with the RSA private-key operation replaced by a copy of one precomputed signature,
// beside the RSA verification each client makes, timed alone.
//
// scripts/bench.sh (make bench) runs it and writes the figures to BENCHMARKS.md.
package sdkbench
