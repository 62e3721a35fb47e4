#!/usr/bin/env bash
# scripts/bench.sh — run the benchmarks and write BENCHMARKS.md: the commands, the machine,
# each figure of issue 13's goals next to its goal, benchstat's tables and the raw output.
# BENCHMARKS.md is generated: edit this script, not the file. `make bench` runs it
# (about 7 minutes on 2 cores, plus one GOEXPERIMENT=boringcrypto build of transport/).
#
#   scripts/bench.sh                        # COUNT=6 for the per-call benchmarks
#   COUNT=10 BENCHTIME=2s scripts/bench.sh
#   OUT=/tmp/after.md scripts/bench.sh      # write elsewhere (e.g. to compare before/after)
#   BORING=0 scripts/bench.sh               # skip the GOEXPERIMENT=boringcrypto run
#
# benchstat runs with `go run` at a pinned version, so go.mod is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${COUNT:-6}         # per-call benchmarks: enough repetitions for benchstat
SCALE_COUNT=${SCALE_COUNT:-3} # the scale benchmarks: each run is long already
BENCHTIME=${BENCHTIME:-1s}
BORING=${BORING:-1}
OUT=${OUT:-BENCHMARKS.md}
BENCHSTAT=${BENCHSTAT:-golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw="$tmp/default"   # benchstat names a table's column after its file
boring="$tmp/boringcrypto"
: >"$raw"
commands=()
run() { # run OUTFILE ENV... -- GO TEST ARGS...: run and record one go test command
	local out=$1; shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	local shown="${envs[*]:+${envs[*]} }$GO test $*"
	shown=${shown/-run ^\$/-run \'^\$\'}
	commands+=("$shown")
	echo "bench.sh: $shown" >&2
	env "${envs[@]}" "$GO" test "$@" | tee -a "$out" >&2
}

PERCALL='^(BenchmarkFloor|BenchmarkTransportRoundTrip|BenchmarkClientQueryECommerceBalance|BenchmarkClientQueryAccountBalance|BenchmarkTransportObserver)$'
BORINGSET='^(BenchmarkFloor|BenchmarkTransportRoundTrip|BenchmarkClientQueryECommerceBalance)$'
# The per-call benchmarks, and the same under GOEXPERIMENT=boringcrypto, run from test
# binaries built once, alternating one round of each COUNT times: on a shared machine the
# load drifts, and interleaving puts both builds and every benchmark under the same drift.
# sdkbench/ (a module of its own, holding the official Go SDK) pairs each client's call with
# the floor within one benchmark, BenchmarkVsFloor; its binary runs in the same rounds.
SDKSET='^(BenchmarkVsFloor|BenchmarkWithoutSigning)$'
echo "bench.sh: building the transport and sdkbench test binaries" >&2
"$GO" test -c -o "$tmp/transport.test" ./transport
(cd sdkbench && "$GO" test -c -o "$tmp/sdkbench.test" .)
if [ "$BORING" = 1 ]; then
	: >"$boring"
	GOEXPERIMENT=boringcrypto "$GO" test -c -o "$tmp/transport-boring.test" ./transport
fi
percall=(-test.run '^$' -test.benchmem -test.benchtime "$BENCHTIME" -test.count 1)
commands+=("$GO test -c ./transport; then $COUNT rounds of: transport.test -test.bench '$PERCALL' ${percall[*]:2}")
commands+=("(cd sdkbench && $GO test -c); in each round: sdkbench.test -test.bench '$SDKSET' ${percall[*]:2}")
if [ "$BORING" = 1 ]; then
	commands+=("GOEXPERIMENT=boringcrypto $GO test -c ./transport; in each round: transport.test -test.bench '$BORINGSET' ${percall[*]:2}")
fi
for i in $(seq "$COUNT"); do
	echo "bench.sh: per-call round $i of $COUNT" >&2
	(cd transport && "$tmp/transport.test" -test.bench "$PERCALL" "${percall[@]}") | tee -a "$raw" >&2
	(cd sdkbench && "$tmp/sdkbench.test" -test.bench "$SDKSET" "${percall[@]}") | tee -a "$raw" >&2
	if [ "$BORING" = 1 ]; then
		(cd transport && "$tmp/transport-boring.test" -test.bench "$BORINGSET" "${percall[@]}") | tee -a "$boring" >&2
	fi
done
run "$raw" -- -run '^$' -bench '^BenchmarkVerify$' -benchmem -benchtime "$BENCHTIME" -count "$COUNT" ./internal/pkcs1
run "$raw" -- -run '^$' -bench '^BenchmarkLoopback$' -benchmem -benchtime "$BENCHTIME" -count "$COUNT" .
run "$raw" -- -run '^$' -bench '^(BenchmarkNewTransports|BenchmarkRateLimitKeys)$' -benchmem -benchtime 3x -count "$SCALE_COUNT" ./transport
run "$raw" -- -run '^$' -bench '^BenchmarkLocalLimiterNewKey$' -benchmem -benchtime 100000x -count "$SCALE_COUNT" ./transport
run "$raw" -- -run '^$' -bench '^BenchmarkManyMerchants$' -benchmem -benchtime 1000x -count "$SCALE_COUNT" .
run "$raw" -- -run '^$' -bench '^BenchmarkConcurrentCalls$' -benchmem -benchtime "$BENCHTIME" -count "$SCALE_COUNT" .

echo "bench.sh: $GO run $BENCHSTAT" >&2
table=$(cd "$tmp" && "$GO" run "$BENCHSTAT" default)
boringtable=""
if [ "$BORING" = 1 ]; then
	boringtable=$(cd "$tmp" && "$GO" run "$BENCHSTAT" -filter '.name:/^(Floor|TransportRoundTrip|ClientQueryECommerceBalance)$/' default boringcrypto)
fi

# med FILE NAME UNIT: the median of UNIT (ns/op, B/op, allocs/op, calls/s, …) over the
# runs of benchmark NAME (without its -GOMAXPROCS suffix) in FILE; "" when absent.
med() {
	awk -v n="$2" -v u="$3" '/^Benchmark/ { b = $1; sub(/-[0-9]+$/, "", b); if (b != n) next
		for (i = 3; i <= NF; i++) if ($i == u) print $(i-1) }' "$1" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# fmtv FORMAT FILE NAME UNIT [SCALE]: the median, divided by SCALE, printed with FORMAT; "n/a" when absent.
fmtv() { local v; v=$(med "$2" "$3" "$4"); if [ -n "$v" ]; then awk -v v="$v" -v s="${5:-1}" -v f="$1" 'BEGIN { printf f, v / s }'; else echo "n/a"; fi; }
# ratio FILE NUM DEN UNIT: median NUM / median DEN with two decimals.
ratio() {
	local a b
	a=$(med "$1" "$2" "$4"); b=$(med "$1" "$3" "$4")
	if [ -n "$a" ] && [ -n "$b" ]; then awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f×", a / b }'; else echo "n/a"; fi
}
# span FILE NAME UNIT FORMAT: "min–max" of UNIT over the runs of NAME, each printed with FORMAT.
span() {
	awk -v n="$2" -v u="$3" -v f="$4" '/^Benchmark/ { b = $1; sub(/-[0-9]+$/, "", b); if (b != n) next
		for (i = 3; i <= NF; i++) if ($i == u) { v = $(i-1) + 0; if (!c++ || v < lo) lo = v; if (c == 1 || v > hi) hi = v } }
		END { if (c) printf f "–" f, lo, hi; else printf "n/a" }' "$1"
}
# ops FILE NAME: calls per second from the median ns/op.
ops() { local v; v=$(med "$1" "$2" ns/op); if [ -n "$v" ]; then awk -v v="$v" 'BEGIN { printf "%.0f calls/s", 1e9 / v }'; else echo "n/a"; fi; }
D=BenchmarkClientQueryECommerceBalance F=BenchmarkFloor R=BenchmarkTransportRoundTrip

cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
cpu=${cpu:-$(uname -m)}
procs=$(awk '/^Benchmark/ { n = split($1, a, "-"); print a[n]; exit }' "$raw")
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi

{
	echo "# Benchmarks"
	echo
	echo "<!-- Generated by scripts/bench.sh (make bench); do not edit by hand. -->"
	echo
	echo "| | |"
	echo "|---|---|"
	for c in "${commands[@]}"; do echo "| command | \`$c\` |"; done
	echo "| table | \`go run $BENCHSTAT\` |"
	echo "| go version | \`$("$GO" version)\` |"
	echo "| CPU | $cpu ($(nproc) logical CPUs; GOMAXPROCS $procs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)) |"
	echo "| OS/arch | $("$GO" env GOOS)/$("$GO" env GOARCH), $(uname -sr) |"
	echo "| commit | $commit |"
	echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
	echo
	echo "Figures are medians of the runs below. BenchmarkFloor is the unavoidable cost of a call:"
	echo "one RSA-2048 signature (the request) and one verification (the answer). Times on a shared"
	echo "machine move with its load; ratios taken within one run (same load) are the figures to read."
	echo
	echo "## 1. Per merchant identity (goal: ≤ 8 KiB of live heap and ≤ 50 µs per Transport)"
	echo
	echo "BenchmarkNewTransports builds n Transports with distinct identities (MchID, serial) and holds"
	echo "them; the parsed openapi.yaml, routes, schemas and rate rules are built once per process."
	echo
	echo "| Transports held | live heap per Transport | time per Transport |"
	echo "|---|---|---|"
	for n in 1 100 1000 10000; do
		echo "| $n | $(fmtv '%.0f B' "$raw" "BenchmarkNewTransports/n=$n" heapB/transport) | $(fmtv '%.1f µs' "$raw" "BenchmarkNewTransports/n=$n" ns/transport 1000) |"
	done
	echo
	echo "## 2. Per call (goal: ≤ 60 allocations, ≤ 8 KiB, ≤ 1.01× the floor)"
	echo
	echo "The e-commerce query on a canned answer signed by a real RSA-2048 platform key (no network),"
	echo "beside the official Go SDK on the same answer, keys and request, in the same run:"
	echo "BenchmarkVsFloor (sdkbench/, a module of its own). Each client refuses that answer with one"
	echo "body byte changed (sdkbench's TestTamperedAnswerRefused): none skips verification."
	echo "x/floor is paired: each iteration times one floor op (sign + verify) and one call, in"
	echo "alternating order, so both see the same load. Three readings of those pairs, each the median"
	echo "of the $COUNT runs (range in parentheses): wall time summed over all pairs; the CPU time of"
	echo "the benchmark's OS thread summed over all pairs (time other processes hold the CPU does not"
	echo "count); and the median of the pairs' own wall-time ratios (a preempted half does not move"
	echo "it). On a quiet machine the three agree; when they do not, other processes were running, and"
	echo "the thread-CPU reading is the one they move least. allocs/op, bytes/op and time/op are the"
	echo "call alone (\`alone/<client>\`)."
	echo
	echo "| client | allocs/op | bytes/op | time/op | x/floor, wall | x/floor, thread CPU | x/floor, median pair |"
	echo "|---|---|---|---|---|---|---|"
	V=BenchmarkVsFloor
	for c in "wxpay|wxpay client (generated client + wxpay.Result)" "wxpay-transport|wxpay Transport only (RoundTrip)" \
		"wechatpay-go|wechatpay-go v0.2.21 (official SDK, public-key mode)"; do
		n=${c%%|*} x=
		for u in x/floor x/floor-cpu x/floor-median; do x="$x | $(fmtv '%.3f×' "$raw" "$V/$n" $u) ($(span "$raw" "$V/$n" $u '%.3f'))"; done
		echo "| ${c#*|} | $(fmtv '%.0f' "$raw" "$V/alone/$n" allocs/op) | $(fmtv '%.2f KiB' "$raw" "$V/alone/$n" B/op 1024) | $(fmtv '%.3f ms' "$raw" "$V/alone/$n" ns/op 1e6)$x |"
	done
	echo "| the floor: one sign + one verify | $(fmtv '%.0f' "$raw" "$V/alone/floor" allocs/op) | $(fmtv '%.2f KiB' "$raw" "$V/alone/floor" B/op 1024) | $(fmtv '%.3f ms' "$raw" "$V/alone/floor" ns/op 1e6) | 1 | 1 | 1 |"
	x=
	for u in x/floor x/floor-cpu x/floor-median; do x="$x | $(fmtv '%.3f×' "$raw" "$V/floor-vs-floor" $u) ($(span "$raw" "$V/floor-vs-floor" $u '%.3f'))"; done
	echo "| control: the floor paired with itself (what the pairing cannot resolve) | | | $x |"
	echo
	echo "The floor verifies with crypto/rsa.VerifyPKCS1v15, as issue 13 measured it; that builds the"
	echo "platform key's Montgomery modulus for every signature. A Transport builds it once per key"
	echo "(internal/pkcs1: filippo.io/bigmod, the standard library's own arithmetic; the same checks,"
	echo "held to crypto/rsa by a differential test and fuzzer), so its verification is cheaper than"
	echo "the floor's. Against a floor that verifies the same way, the client's remaining overhead —"
	echo "everything but RSA — shows alone:"
	echo
	echo "| one answer's signature check (BenchmarkVerify, internal/pkcs1) | allocs/op | bytes/op | time/op |"
	echo "|---|---|---|---|"
	for c in "crypto-rsa|crypto/rsa.VerifyPKCS1v15 (the floor's)" "prepared|the prepared key (a Transport's)" "prepare|preparing a key (once per key, on its first answer)"; do
		n=BenchmarkVerify/${c%%|*}
		echo "| ${c#*|} | $(fmtv '%.0f' "$raw" $n allocs/op) | $(fmtv '%.0f B' "$raw" $n B/op) | $(fmtv '%.1f µs' "$raw" $n ns/op 1000) |"
	done
	echo
	x=
	for u in x/floor-prepared x/floor-prepared-cpu x/floor-prepared-median; do x="$x | $(fmtv '%.3f×' "$raw" "$V/wxpay-vs-floor-prepared" $u) ($(span "$raw" "$V/wxpay-vs-floor-prepared" $u '%.3f'))"; done
	echo "| | time/op | x, wall | x, thread CPU | x, median pair |"
	echo "|---|---|---|---|---|"
	echo "| floor with the prepared verification | $(fmtv '%.3f ms' "$raw" "$V/alone/floor-prepared" ns/op 1e6) | | | |"
	echo "| wxpay client / that floor | $x |"
	echo
	x=
	for u in x/wechatpay-go x/wechatpay-go-cpu x/wechatpay-go-median; do x="$x | $(fmtv '%.3f×' "$raw" "$V/wxpay-vs-wechatpay-go" $u) ($(span "$raw" "$V/wxpay-vs-wechatpay-go" $u '%.3f'))"; done
	echo "The wxpay client's call over wechatpay-go's, paired with each other the same way"
	echo "(\`wxpay-vs-wechatpay-go\`; below 1 means the wxpay client is faster):"
	echo
	echo "| | x/wechatpay-go, wall | x/wechatpay-go, thread CPU | x/wechatpay-go, median pair |"
	echo "|---|---|---|---|"
	echo "| wxpay client / wechatpay-go$x |"
	echo
	echo "When issue 13 was filed it quoted the SDK at 76 allocations, 8.4 KB and 1.012× the floor;"
	echo "the wechatpay-go row above measures it instead."
	echo
	echo "Where a call's time goes, warm (BenchmarkWithoutSigning, same rounds): each client calls"
	echo "with a signer that returns a copy of one precomputed signature instead of computing it —"
	echo "everything else as in a call, the answer's verification included (sdkbench's"
	echo "TestWithoutSigningChangesOnlyTheSignature) — and the RSA verification it makes is timed"
	echo "alone. The difference is the client's own work. Calls run back to back, with warm caches;"
	echo "in the pairs above the same work follows a millisecond of RSA arithmetic, which makes it"
	echo "dearer, and more so when other tenants load the machine. The last column puts the parts"
	echo "together: 1 + (call without signing − crypto/rsa verification) / floor, the call over the"
	echo "floor were the client's work as cheap as here."
	echo
	echo "| client | call without RSA signing | its RSA verification alone | its own work | own work / floor | x/floor, warm parts |"
	echo "|---|---|---|---|---|---|"
	W=BenchmarkWithoutSigning
	rsa=$(med "$raw" "$W/verify/crypto-rsa" ns/op) fl=$(med "$raw" "$V/alone/floor" ns/op)
	for c in "wxpay|prepared|wxpay client (generated client + wxpay.Result)" "wxpay-transport|prepared|wxpay Transport only (RoundTrip)" \
		"wechatpay-go|crypto-rsa|wechatpay-go v0.2.21"; do
		n=${c%%|*} rest=${c#*|}; vk=${rest%%|*}
		call=$(med "$raw" "$W/$n" ns/op) ver=$(med "$raw" "$W/verify/$vk" ns/op)
		if [ -n "$call" ] && [ -n "$ver" ] && [ -n "$rsa" ] && [ -n "$fl" ]; then
			awk -v c="$call" -v v="$ver" -v r="$rsa" -v f="$fl" -v name="${rest#*|}" -v vk="$vk" 'BEGIN {
				printf "| %s | %.1f µs | %.1f µs (%s) | %.1f µs | %.2f %% | %.3f× |\n", name, c / 1e3, v / 1e3, vk == "prepared" ? "prepared key" : "crypto/rsa", (c - v) / 1e3, 100 * (c - v) / f, 1 + (c - r) / f }'
		else
			echo "| ${rest#*|} | n/a | n/a | n/a | n/a | n/a |"
		fi
	done
	echo
	echo "The benchmarks of transport/ in the same rounds. Their \"/ floor\" column divides medians"
	echo "of separate runs (each benchmark runs BENCHTIME alone), so it moves with the load between"
	echo "runs; the paired x/floor readings above are the figures to hold against the 1.01× goal."
	echo
	echo "| measure | allocs/op | bytes/op | time/op | / floor, separate runs |"
	echo "|---|---|---|---|---|"
	for b in $F $R $D BenchmarkClientQueryAccountBalance; do
		echo "| ${b#Benchmark} | $(fmtv '%.0f' "$raw" $b allocs/op) | $(fmtv '%.2f KiB' "$raw" $b B/op 1024) | $(fmtv '%.3f ms' "$raw" $b ns/op 1e6) | $(ratio "$raw" $b $F ns/op) |"
	done
	echo
	echo "## 3. Many merchants at once (goal: within 10 % of one merchant)"
	echo
	echo "BenchmarkManyMerchants: 1,000 Transports with distinct identities sharing one http.Transport,"
	echo "16 calls in flight against wxpaytest (which signs and verifies on the same CPUs), beside one"
	echo "merchant under the same load, alternating in rounds of 100 calls, which goes first too (1,000 calls each per"
	echo "run). The ratio is the median of the runs' own ratios."
	echo
	echo "| merchants | calls/s | p99 latency |"
	echo "|---|---|---|"
	for n in 1 1000; do
		echo "| $n | $(fmtv '%.0f' "$raw" BenchmarkManyMerchants calls/s-$n) | $(fmtv '%.1f ms' "$raw" BenchmarkManyMerchants p99-ms-$n) |"
	done
	echo "| 1,000 / 1 | $(fmtv '%.3f×' "$raw" BenchmarkManyMerchants calls/s-ratio) | $(fmtv '%.3f×' "$raw" BenchmarkManyMerchants p99-ratio) |"
	echo
	echo "## 4. The faster build: GOEXPERIMENT=boringcrypto"
	echo
	if [ "$BORING" = 1 ]; then
		echo "The same benchmarks, same machine, same run, built with GOEXPERIMENT=boringcrypto"
		echo "(BoringCrypto through cgo; see README); the two builds ran in alternating rounds."
		echo
		echo "| measure | default | boringcrypto | default / boringcrypto |"
		echo "|---|---|---|---|"
		for b in $F $R $D; do
			d=$(med "$raw" $b ns/op); o=$(med "$boring" $b ns/op)
			r=n/a; if [ -n "$d" ] && [ -n "$o" ]; then r=$(awk -v a="$d" -v b="$o" 'BEGIN { printf "%.2f×", a / b }'); fi
			echo "| ${b#Benchmark} | $(fmtv '%.3f ms' "$raw" $b ns/op 1e6) | $(fmtv '%.3f ms' "$boring" $b ns/op 1e6) | $r |"
		done
		echo "| ClientQueryECommerceBalance / Floor | $(ratio "$raw" $D $F ns/op) | $(ratio "$boring" $D $F ns/op) | |"
	else
		echo "Not run (BORING=0)."
	fi
	echo
	echo "## 5. How cost grows"
	echo
	echo "| work | heap per unit | time per unit |"
	echo "|---|---|---|"
	for n in 1 100 1000 10000; do
		echo "| $n Transports held | $(fmtv '%.0f B' "$raw" "BenchmarkNewTransports/n=$n" heapB/transport) per Transport | $(fmtv '%.1f µs' "$raw" "BenchmarkNewTransports/n=$n" ns/transport 1000) per New |"
	done
	for n in 1 1000 100000 1000000; do
		echo "| $n rate-limit keys | $(fmtv '%.1f B' "$raw" "BenchmarkRateLimitKeys/keys=$n" heapB/key) per key | $(fmtv '%.0f ns' "$raw" "BenchmarkRateLimitKeys/keys=$n" ns/op) per Wait |"
	done
	for n in 1000 100000 1000000; do
		echo "| a new rate-limit key, $n keys held and none refilled | | $(fmtv '%.0f ns' "$raw" "BenchmarkLocalLimiterNewKey/tracked=$n" ns/op) per Wait |"
	done
	for n in 1 16 256; do
		echo "| $n calls in flight | $(fmtv '%.1f KiB' "$raw" "BenchmarkConcurrentCalls/calls=$n" heapB/inflight 1024) live per call in flight | $(fmtv '%.3f ms' "$raw" "BenchmarkConcurrentCalls/calls=$n" ns/op 1e6) per call (wall), p99 $(fmtv '%.1f ms' "$raw" "BenchmarkConcurrentCalls/calls=$n" p99-ms) |"
	done
	echo
	echo "The in-process limiter (LocalLimiter) keeps one GCRA timestamp per key in 64 locked maps:"
	echo "a Wait costs about the same with 1 key or 1,000,000, and so does a new key when the limiter"
	echo "is full of keys whose buckets have not refilled (the old limiter scanned every key then)."
	echo "The heap per call in flight counts the live"
	echo "heap above the idle process (client and server), sampled at each GC during the run."
	echo
	echo "## Loopback (client and wxpaytest over 127.0.0.1)"
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| Loopback/serial / Floor (client and server) | $(ratio "$raw" BenchmarkLoopback/serial $F ns/op) |"
	echo "| Loopback serial throughput | $(ops "$raw" BenchmarkLoopback/serial) |"
	echo "| Loopback parallel throughput | $(ops "$raw" BenchmarkLoopback/parallel) |"
	echo "| Loopback parallel / serial throughput | $(ratio "$raw" BenchmarkLoopback/serial BenchmarkLoopback/parallel ns/op) |"
	echo
	echo "## benchstat"
	echo
	echo '```'
	echo "$table"
	echo '```'
	if [ -n "$boringtable" ]; then
		echo
		echo "### default vs GOEXPERIMENT=boringcrypto"
		echo
		echo '```'
		echo "$boringtable"
		echo '```'
	fi
	echo
	echo "<details><summary>Raw <code>go test</code> output (feed it to benchstat to compare a later run)</summary>"
	echo
	echo '```'
	cat "$raw"
	if [ "$BORING" = 1 ]; then echo; echo "# GOEXPERIMENT=boringcrypto"; cat "$boring"; fi
	echo '```'
	echo
	echo "</details>"
} >"$OUT"
echo "bench.sh: wrote $OUT" >&2
