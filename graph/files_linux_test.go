//go:build linux

package graph

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var unsafeChild = flag.String("unsafe-case", "", "run one unsafeModelCases case as the child of TestUnsafeFilesUnderMemoryLimit")

// childHeadroom is how much address space the child may map beyond what
// it holds when it starts: far more than loading a tiny model needs, far
// less than reading the zero device until memory runs out would take.
const childHeadroom = 512 << 20

// TestUnsafeFilesUnderMemoryLimit loads each of unsafeModelCases (models
// naming a FIFO, the zero device, a file outside their folder) in a child
// process whose address space is limited, so that a regression kills or
// hangs the child rather than the test run. The child must end with a
// clear error and exit 0.
func TestUnsafeFilesUnderMemoryLimit(t *testing.T) {
	if *unsafeChild != "" {
		t.Skip("running as a child")
	}
	for _, tc := range unsafeModelCases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestUnsafeFileChild$", "-test.v", "-unsafe-case="+tc.name)
			out, err := cmd.CombinedOutput()
			require.NoError(t, ctx.Err(), "the child hung:\n%s", out)
			require.NoError(t, err, "the child died:\n%s", out)
			assert.Contains(t, string(out), "refused: load ")
			assert.Contains(t, string(out), tc.message)
		})
	}
}

// TestUnsafeFileChild is the child of TestUnsafeFilesUnderMemoryLimit.
func TestUnsafeFileChild(t *testing.T) {
	if *unsafeChild == "" {
		t.Skip("runs only as the child of TestUnsafeFilesUnderMemoryLimit")
	}
	for _, tc := range unsafeModelCases {
		if tc.name != *unsafeChild {
			continue
		}
		path := tc.setup(t, t.TempDir(), t.TempDir())
		limitAddressSpace(t, childHeadroom)
		_, err := Load(path)
		require.Error(t, err)
		fmt.Printf("refused: %v\n", err)
		require.ErrorIs(t, err, tc.is)
		return
	}
	t.Fatalf("no case %q", *unsafeChild)
}

// limitAddressSpace caps the process's address space (RLIMIT_AS, which
// needs no privilege to lower) at what it maps now plus headroom, so that
// an unbounded read fails fast instead of taking the machine's memory.
func limitAddressSpace(t *testing.T, headroom uint64) {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	var vmSize uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(t, err)
			vmSize = kb << 10
		}
	}
	require.NoError(t, sc.Err())
	require.NotZero(t, vmSize, "no VmSize in /proc/self/status")
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_AS, &lim))
	lim.Cur = min(vmSize+headroom, lim.Max)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_AS, &lim))
}
