package gather

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestOpCorpus runs the corpus graphs that use only this package's ops
// and compares the results with TensorFlow's.
func TestOpCorpus(t *testing.T) {
	ran := kerneltest.RunCorpus(t, "gather", "scatter_nd", "where", "embedding_lookup", "boolean_mask",
		"uniqueWithCounts10-5", "g_05", "emptyArrayTests", "reductions")
	assert.GreaterOrEqual(t, ran, 17)
}
