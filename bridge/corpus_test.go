package bridge

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfops"
)

// TestOpCorpusThroughBridge runs every op-corpus graph through the bridge
// with clusters of any size offloaded, and requires every case that passes
// on the executor alone (those not listed in tfexec's status file) to pass
// here too, against TensorFlow's numbers. Clusters the engine cannot run
// fall back, so failures point at translators that claim support wrongly
// or compute differently.
func TestOpCorpusThroughBridge(t *testing.T) {
	enginetest.Require(t)
	if testing.Short() {
		t.Skip("runs 675 graphs")
	}
	root := filepath.Join(testutil.SharedModels(t), "tfops")
	names, err := tfops.Find(root)
	require.NoError(t, err)
	notPassing, err := executorFailures()
	require.NoError(t, err)

	type result struct {
		err       error
		offloaded int
	}
	results := tfops.Each(names, func(name string) result {
		off, err := runCorpusCase(root, name)
		return result{err: err, offloaded: off}
	})

	passed, offloadedCases := 0, 0
	for i, n := range names {
		r := results[i]
		if r.err == nil {
			passed++
			if r.offloaded > 0 {
				offloadedCases++
			}
			continue
		}
		if !notPassing[n] {
			t.Errorf("%s passes on the executor but not through the bridge: %v", n, r.err)
		}
	}
	fmt.Printf("tfops through bridge: passed=%d of %d (%d with offloaded clusters); executor passes %d\n",
		passed, len(names), offloadedCases, len(names)-len(notPassing))
}

func runCorpusCase(root, name string) (int, error) {
	c, err := tfops.Load(root, name)
	if err != nil {
		return 0, err
	}
	m := &graph.Model{Path: name, Graph: c.Graph}
	s, err := NewSession(m, WithOffload(true), WithBackend("CPU"), WithMinNontrivialNodes(1), WithOutputs(c.Fetches()...),
		WithLogger(quietLogger))
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := s.Run(ctx, c.Feeds, c.Fetches())
	if err != nil {
		return 0, err
	}
	off, _ := s.Plan().NonTrivial()
	return off, c.Check(got)
}

// executorFailures reads the cases tfexec does not pass.
func executorFailures() (map[string]bool, error) {
	f, err := os.Open("../tfexec/testdata/tfops_status.txt")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out[strings.SplitN(line, "\t", 2)[0]] = true
		}
	}
	return out, sc.Err()
}
