package sysmem

import (
	"math"
	"syscall"
)

func physical() Limit {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return Limit{Bytes: AssumedPhysical, Source: "assumed physical memory"}
	}
	unit := max(uint64(si.Unit), 1)
	return Limit{Bytes: int64(min(uint64(si.Totalram)*unit, math.MaxInt64)), Source: "physical memory"}
}

func rlimits() []Limit {
	var out []Limit
	for _, r := range []struct {
		res  int
		name string
	}{{syscall.RLIMIT_AS, "RLIMIT_AS"}, {syscall.RLIMIT_DATA, "RLIMIT_DATA"}} {
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(r.res, &lim); err == nil && lim.Cur != rlimInfinity && lim.Cur > 0 {
			out = append(out, Limit{Bytes: int64(min(lim.Cur, math.MaxInt64)), Source: r.name})
		}
	}
	return out
}

// rlimInfinity is RLIM_INFINITY as Rlimit holds it.
const rlimInfinity = ^uint64(0)
