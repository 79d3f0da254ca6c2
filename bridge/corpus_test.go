package bridge

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/internal/tfops"
)

var updateStatus = flag.Bool("update", false, "rewrite "+offloadStatusFile+" from this run")

// offloadStatusFile pins where the op corpus's clusters run.
const offloadStatusFile = "testdata/corpus_offload_status.txt"

// TestOpCorpusThroughBridge runs every op-corpus graph through the bridge
// with clusters of any size offloaded, and requires every case that passes
// on the executor alone (those not listed in tfexec's status file) to pass
// here too, against TensorFlow's numbers.
//
// It also gates where the clusters ran. A case whose plan has clusters
// either ran them all on ONNX Runtime or fell back to the executor for at
// least one; every fallback must be a translator's deliberate refusal
// (clusters.ErrUntranslatable), never an ONNX Runtime failure or a crash,
// which dynamic fallback would otherwise hide. The counts and the cases
// that fall back, with why, are pinned in testdata/corpus_offload_status.txt
// (regenerate with -update, then review the diff).
func TestOpCorpusThroughBridge(t *testing.T) {
	enginetest.Require(t)
	if testing.Short() {
		t.Skip("runs 675 graphs")
	}
	root := filepath.Join(testutil.SharedModels(t), "tfops")
	names, err := tfops.Find(root)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(names), 675, "op-corpus cases")
	notPassing, err := executorFailures()
	require.NoError(t, err)

	results := tfops.Each(names, func(name string) corpusResult { return runCorpusCase(root, name) })

	passed, compared := 0, 0
	got := offloadStatus{fallback: map[string]string{}}
	for i, n := range names {
		r := results[i]
		if !notPassing[n] {
			compared++
			if r.err != nil {
				t.Errorf("%s passes on the executor but not through the bridge: %v", n, r.err)
			}
		}
		if r.err == nil {
			passed++
		}
		if !r.planned {
			continue
		}
		got.planned++
		if r.fallbackErr == nil {
			got.onnx++
			continue
		}
		if !errors.Is(r.fallbackErr, clusters.ErrUntranslatable) {
			t.Errorf("%s: a cluster fell back on an engine error, not a translator's refusal: %v", n, r.fallbackErr)
		}
		got.fallback[n] = oneLine(r.fallbackErr)
	}
	assert.GreaterOrEqual(t, compared, 650, "cases the executor passes, compared here")
	fmt.Printf("tfops through bridge: passed=%d of %d; executor passes %d; planned a cluster=%d ran on ONNX Runtime=%d fell back=%d\n",
		passed, len(names), compared, got.planned, got.onnx, len(got.fallback))

	if *updateStatus {
		require.NoError(t, got.write(offloadStatusFile))
		return
	}
	want, err := readOffloadStatus(offloadStatusFile)
	require.NoError(t, err, "run go test ./bridge -run TestOpCorpusThroughBridge -update")
	assert.Equal(t, want.planned, got.planned, "cases that plan a cluster (%s)", offloadStatusFile)
	assert.Equal(t, want.onnx, got.onnx, "cases whose clusters all ran on ONNX Runtime (%s)", offloadStatusFile)
	for _, n := range names {
		_, w := want.fallback[n]
		reason, g := got.fallback[n]
		switch {
		case g && !w:
			t.Errorf("%s now falls back (%s): not listed in %s", n, reason, offloadStatusFile)
		case w && !g:
			t.Errorf("%s no longer falls back: remove it from %s (-update)", n, offloadStatusFile)
		}
	}
}

// corpusResult is what one corpus case did through the bridge.
type corpusResult struct {
	err         error // the run or the comparison with TensorFlow
	planned     bool  // the plan has clusters
	fallbackErr error // the first cluster fallback's cause, nil if none
}

func runCorpusCase(root, name string) corpusResult {
	c, err := tfops.Load(root, name)
	if err != nil {
		return corpusResult{err: err}
	}
	m := &graph.Model{Path: name, Graph: c.Graph}
	s, err := NewSession(m, WithOffload(true), WithBackend("CPU"), WithMinNontrivialNodes(1), WithOutputs(c.Fetches()...),
		WithLogger(quietLogger))
	if err != nil {
		return corpusResult{err: err}
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := corpusResult{planned: len(s.Plan().Clusters) > 0}
	got, err := s.Run(ctx, c.Feeds, c.Fetches())
	for _, cs := range s.Stats().Clusters {
		if cs.FallbackErr != nil && r.fallbackErr == nil {
			r.fallbackErr = fmt.Errorf("cluster %d: %w", cs.ID, cs.FallbackErr)
		}
	}
	if err != nil {
		r.err = err
		return r
	}
	r.err = c.Check(got)
	return r
}

// offloadStatus is the content of offloadStatusFile.
type offloadStatus struct {
	planned, onnx int
	fallback      map[string]string // case → why its cluster fell back
}

func (s offloadStatus) write(path string) error {
	var b strings.Builder
	b.WriteString("# Op-corpus cases (../shared/models/tfops) through the bridge, every cluster offloaded\n")
	b.WriteString("# (minimum size 1): how many plan a cluster and how many ran every cluster on ONNX\n")
	b.WriteString("# Runtime; then each case that fell back to the executor, with the translator's refusal.\n")
	b.WriteString("# Regenerate with: go test ./bridge -run TestOpCorpusThroughBridge -update\n")
	fmt.Fprintf(&b, "planned\t%d\nonnx\t%d\nfallback\t%d\n", s.planned, s.onnx, len(s.fallback))
	names := make([]string, 0, len(s.fallback))
	for n := range s.fallback {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s\t%s\n", n, s.fallback[n])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func readOffloadStatus(path string) (offloadStatus, error) {
	s := offloadStatus{fallback: map[string]string{}}
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	fallbacks := -1
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, "\t")
		if !ok {
			return s, fmt.Errorf("%s: bad line %q", path, line)
		}
		switch key {
		case "planned":
			_, err = fmt.Sscan(val, &s.planned)
		case "onnx":
			_, err = fmt.Sscan(val, &s.onnx)
		case "fallback":
			_, err = fmt.Sscan(val, &fallbacks)
		default:
			s.fallback[key] = val
		}
		if err != nil {
			return s, fmt.Errorf("%s: %q: %w", path, line, err)
		}
	}
	if fallbacks != len(s.fallback) || s.planned != s.onnx+fallbacks {
		return s, fmt.Errorf("%s: counts planned=%d onnx=%d fallback=%d do not add up with %d listed cases", path, s.planned, s.onnx, fallbacks, len(s.fallback))
	}
	return s, sc.Err()
}

// oneLine flattens an error's text for the status file.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 240 {
		s = s[:240] + "…"
	}
	return s
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
