package op

import (
	"fmt"

	tf "github.com/tfoffload/tfoffload/compat/tf"
)

//go:generate go run ../../internal/genop/cmd/genop -root ../../..

// Const adds an operation to the graph that produces value as output.
// value is a *tf.Tensor or anything tf.NewTensor accepts.
func Const(scope *Scope, value any) (output tf.Output) {
	if scope.Err() != nil {
		return
	}
	t, ok := value.(*tf.Tensor)
	if !ok {
		var err error
		if t, err = tf.NewTensor(value); err != nil {
			scope.UpdateErr("Const", err)
			return
		}
	}
	return scope.AddOperation(tf.OpSpec{
		Type: "Const",
		Attrs: map[string]any{
			"dtype": t.DataType(),
			"value": t,
		}}).Output(0)
}

// optionalAttr holds the optional attributes of one generated wrapper.
type optionalAttr = map[string]any

// makeOutputList returns the outputs of the list argument output of op,
// which start at start, and the index after them.
func makeOutputList(op *tf.Operation, start int, output string) ([]tf.Output, int, error) {
	size, err := op.OutputListSize(output)
	if err != nil {
		return nil, start, fmt.Errorf("output list %q: %w", output, err)
	}
	list := make([]tf.Output, size)
	for i := range size {
		list[i] = op.Output(start + i)
	}
	return list, start + size, nil
}
