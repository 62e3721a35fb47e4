//go:build !race

package wxpay_test

// raceEnabled reports whether the race detector is on: TestConcurrency then runs fewer calls.
const raceEnabled = false
