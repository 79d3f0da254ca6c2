package tfexec

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// testOnlyOps are the fake ops executor_test.go registers for this
// package's tests; they are no TensorFlow ops and have no signature.
var testOnlyOps = []string{"TestAdd", "TestLess", "TestMul", "TestPanic", "TestSlow", "TestTwoOut"}

// TestKernelOpsHaveSignatures checks that every op the executor runs, by a
// registered kernel or as control flow it implements itself, has a
// signature in opdefs.
func TestKernelOpsHaveSignatures(t *testing.T) {
	ops := kernel.Ops()
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
