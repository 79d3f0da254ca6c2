package tfexec

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// testOnlyOps are the fake ops this package's tests register; they are no
// TensorFlow ops and have no signature.
var testOnlyOps = []string{"TestAdd", "TestConcurrent", "TestLess", "TestMul", "TestMustNew", "TestPanic", "TestSlow", "TestTwoOut"}

// TestKernelOpsHaveSignatures checks that every op the executor runs, by a
// registered kernel or as control flow and function calls it implements
// itself, has a signature in opdefs.
func TestKernelOpsHaveSignatures(t *testing.T) {
	ops := append(kernel.Ops(), functionalOpTypes...)
	for op := range kindOf {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	assert.Greater(t, len(ops), 250)
	for _, op := range ops {
		if slices.Contains(testOnlyOps, op) {
			continue
		}
		_, ok := opdefs.SignatureOf(op)
		assert.True(t, ok, "op %s runs on the executor but has no signature in opdefs", op)
	}
}
