package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func collectHere(t *testing.T) (*coverage, string) {
	t.Helper()
	root, err := testutil.RepoRoot()
	require.NoError(t, err)
	cov, err := collect(root, filepath.Join(testutil.SharedModels(t), "tfops"))
	require.NoError(t, err)
	return cov, root
}

// TestDocsOpsUpToDate: docs/ops.md is what the tables say today.
func TestDocsOpsUpToDate(t *testing.T) {
	cov, root := collectHere(t)
	committed, err := os.ReadFile(filepath.Join(root, "docs", "ops.md"))
	require.NoError(t, err)
	assert.Equal(t, string(cov.markdown()), string(committed), "docs/ops.md is stale: run go generate ./cmd/opcoverage")
}

// TestREADMEStatesTheCounts: the README's coverage sentence carries the
// table's numbers, so the claim cannot drift from the code.
func TestREADMEStatesTheCounts(t *testing.T) {
	cov, root := collectHere(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	flat := strings.Join(strings.Fields(string(readme)), " ")
	for _, claim := range cov.readmeClaims() {
		assert.True(t, strings.Contains(flat, claim), "README.md must say: %q", claim)
	}
}

// TestCounts: the table holds every kernel and translator, and the
// counts add up.
func TestCounts(t *testing.T) {
	cov, _ := collectHere(t)
	n := cov.counts()
	assert.Equal(t, len(kernel.Ops()), n.kernels)
	assert.Equal(t, len(clusters.Ops()), n.translators)
	assert.GreaterOrEqual(t, n.tfjs, 240, "ops the converter maps")
	assert.LessOrEqual(t, n.tfjsKernel, n.tfjs)
	assert.Positive(t, n.kernelsInCorpus)
	assert.LessOrEqual(t, n.kernelsInCorpus, n.kernels)
	for _, r := range cov.rows {
		if r.translate {
			assert.True(t, r.kernel, "%s has a translator but the executor cannot run it", r.op)
		}
	}
	md := string(cov.markdown())
	assert.Regexp(t, regexp.MustCompile("(?m)^\\| `Conv2D` \\| T: [^|]*float32[^|]* \\| T: [^|]*float32[^|]* \\| convolution \\| \\d+: "), md)
	assert.Regexp(t, regexp.MustCompile("(?m)^\\| `Switch` \\| built-in \\| "), md)
}
