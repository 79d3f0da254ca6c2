package sysmem

import (
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Limit is an amount of memory and where it comes from.
type Limit struct {
	Bytes  int64
	Source string // "physical memory", "cgroup v2 memory.max", "RLIMIT_DATA", ...
}

// Available returns the lowest memory limit that applies to this process.
// Where the platform gives no physical memory size, it assumes
// AssumedPhysical.
func Available() Limit { return lowest(physical(), cgroupLimits("/", readCgroupFile), rlimits()) }

// AssumedPhysical is the physical memory assumed on platforms where
// sysmem cannot read it.
const AssumedPhysical = 16 << 30

// lowest returns the smallest positive limit among the candidates; the
// first is never empty.
func lowest(first Limit, more ...[]Limit) Limit {
	best := first
	for _, ls := range more {
		for _, l := range ls {
			if l.Bytes > 0 && l.Bytes < best.Bytes {
				best = l
			}
		}
	}
	return best
}

// cgroupV2Roots and cgroupV1Roots are where the unified and the memory
// controller's hierarchies are mounted on systemd and container hosts.
var (
	cgroupV2Roots = []string{"sys/fs/cgroup", "sys/fs/cgroup/unified"}
	cgroupV1Roots = []string{"sys/fs/cgroup/memory"}
)

// unlimitedV1 is where cgroup v1 reports "no limit" (the largest page
// multiple that fits in int64, or near it).
const unlimitedV1 = 1 << 62

// cgroupLimits reads the memory limits of the process's cgroups, and of
// their ancestors, under root ("/" in production; a test directory in
// tests). read returns a file's contents.
func cgroupLimits(root string, read func(string) (string, bool)) []Limit {
	self, ok := read(filepath.Join(root, "proc/self/cgroup"))
	if !ok {
		return nil
	}
	var out []Limit
	for _, line := range strings.Split(self, "\n") {
		// hierarchy-ID:controller-list:path
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		controllers, cg := parts[1], parts[2]
		switch {
		case parts[0] == "0" && controllers == "":
			for _, r := range cgroupV2Roots {
				out = append(out, walkUp(filepath.Join(root, r), cg, "memory.max", "cgroup v2 memory.max", read)...)
			}
		case hasController(controllers, "memory"):
			for _, r := range cgroupV1Roots {
				out = append(out, walkUp(filepath.Join(root, r), cg, "memory.limit_in_bytes", "cgroup v1 memory.limit_in_bytes", read)...)
			}
		}
	}
	return out
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// walkUp reads file in the cgroup directory cg under mount and in each of
// its ancestors up to the mount point: a limit anywhere above applies too.
// Inside a container the process's cgroup path may not exist under the
// mount (the mount shows the container's own cgroup as its root), so
// missing directories are skipped.
func walkUp(mount, cg, file, source string, read func(string) (string, bool)) []Limit {
	var out []Limit
	for dir := path.Clean("/" + cg); ; dir = path.Dir(dir) {
		if v, ok := read(filepath.Join(mount, dir, file)); ok {
			if n, ok := parseLimit(v); ok {
				out = append(out, Limit{Bytes: n, Source: source})
			}
		}
		if dir == "/" {
			return out
		}
	}
}

// parseLimit reads a cgroup limit; "max" and v1's huge sentinel mean
// none.
func parseLimit(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || n >= unlimitedV1 {
		return 0, false
	}
	return int64(min(n, math.MaxInt64)), true
}

func readCgroupFile(name string) (string, bool) {
	b, err := os.ReadFile(name)
	if err != nil || len(b) > 1<<16 {
		return "", false
	}
	return string(b), true
}
