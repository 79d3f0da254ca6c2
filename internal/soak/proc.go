package soak

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// RSS returns the resident set size of this process in bytes, the VmRSS
// line of /proc/self/status.
func RSS() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		num, unit, _ := bytes.Cut(bytes.TrimSpace(rest), []byte(" "))
		kb, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || string(unit) != "kB" {
			return 0, fmt.Errorf("soak: /proc/self/status: unexpected VmRSS line %q", sc.Text())
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("soak: /proc/self/status has no VmRSS line")
}

// OpenFDs returns the number of file descriptors this process has open,
// the entries of /proc/self/fd (less the one reading it).
func OpenFDs() (int, error) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	return len(entries) - 1, nil
}
