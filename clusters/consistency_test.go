package clusters

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels"
)

// TestEveryTranslatorHasAKernel: a cluster falls back to the executor, so
// every op the translator table claims must also run there.
func TestEveryTranslatorHasAKernel(t *testing.T) {
	for _, op := range Ops() {
		_, ok := kernel.Lookup(op)
		assert.True(t, ok || graph.ControlFlowKind(op) != "", "%s has a translator but no kernel", op)
	}
}

// TestStaticFactsHaveTranslators: an op's static inputs exist for its
// translation; a fact for an op without one is stale.
func TestStaticFactsHaveTranslators(t *testing.T) {
	for _, op := range opdefs.FactOps() {
		f := opdefs.Lookup(op)
		if len(f.Static) > 0 || len(f.StaticIfInteger) > 0 {
			_, ok := table[op]
			assert.True(t, ok, "%s declares static inputs but has no translator", op)
		}
	}
}

// TestOpDTypes: the accessor answers from the table.
func TestOpDTypes(t *testing.T) {
	for _, op := range Ops() {
		attr, dts, ok := OpDTypes(op)
		assert.True(t, ok, op)
		assert.NotEmpty(t, attr, op)
		e := table[op]
		assert.Equal(t, e.DTypes, dts, op)
		if e.TypeAttr != "" {
			assert.Equal(t, e.TypeAttr, attr, op)
		}
	}
	_, _, ok := OpDTypes("NoSuchOp")
	assert.False(t, ok)
}
