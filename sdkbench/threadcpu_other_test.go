//go:build !linux

package sdkbench

import "time"

// threadCPU is not measured off Linux: BenchmarkVsFloor then reports no x/floor-cpu.
func threadCPU() (time.Duration, bool) { return 0, false }
