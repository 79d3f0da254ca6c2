package tfgo

import (
	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
)

// Batchify creates a batch of tensors, concatenating them along a new
// first dimension.
func Batchify(scope *op.Scope, tensors []tf.Output) tf.Output {
	s := scope.SubScope("batchify")
	if len(tensors) == 1 {
		return op.ExpandDims(s.SubScope("ExpandDims"), tensors[0], op.Const(s.SubScope("axis"), []int32{0}))
	}
	var tensors4d []tf.Output
	for _, tensor := range tensors {
		tensors4d = append(tensors4d, op.ExpandDims(s.SubScope("ExpandDims"), tensor, op.Const(s.SubScope("axis"), []int32{0})))
	}
	return op.ConcatV2(s.SubScope("ConcatV2"), tensors4d, op.Const(s.SubScope("axis"), int32(0)))
}

// Cast casts value to dtype; value itself when it already has it.
func Cast(scope *op.Scope, value tf.Output, dtype tf.DataType) tf.Output {
	if value.DataType() == dtype {
		return value
	}
	return op.Cast(scope.SubScope("Cast"), value, dtype)
}

// NewRoot creates a new, empty *op.Scope.
func NewRoot() *op.Scope {
	return op.NewScope()
}

// Const creates a constant value within a new sub-scope of scope, so
// that every constant gets a unique name.
func Const(scope *op.Scope, value any) tf.Output {
	return op.Const(scope.SubScope("Const"), value)
}

// IsClose returns a boolean tensor, true where a is close to b: |a-b| <=
// max(relTol*max(|a|,|b|), absTol).
func IsClose(scope *op.Scope, a, b tf.Output, relTol, absTol tf.Output) tf.Output {
	s := scope.SubScope("IsClose")
	return op.LessEqual(s.SubScope("LessEqual"),
		op.Abs(s.SubScope("Abs"),
			op.Sub(s.SubScope("Sub"), a, b)),
		op.Maximum(s.SubScope("Maximum"),
			op.Mul(s.SubScope("Mul"), relTol,
				op.Maximum(s.SubScope("Maximum"), op.Abs(s.SubScope("Abs"), a), op.Abs(s.SubScope("Abs"), b))), absTol))
}

// Exec finalizes the graph of scope, runs it with a new session (options
// may be nil) feeding feedDict, and returns tensors evaluated. It panics
// on error.
func Exec(scope *op.Scope, tensors []tf.Output, feedDict map[tf.Output]*tf.Tensor, options *tf.SessionOptions) []*tf.Tensor {
	graph, err := scope.Finalize()
	if err != nil {
		panic(err.Error())
	}
	sess, err := tf.NewSession(graph, options)
	if err == nil {
		defer sess.Close()
		var results []*tf.Tensor
		if results, err = sess.Run(feedDict, tensors, nil); err == nil {
			return results
		}
	}
	panic(err)
}
