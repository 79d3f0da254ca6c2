package tfgo

import (
	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
)

// Tensor is a tf.Output with the scope it was made in. Its methods add
// operations and chain: each replaces Output with the result and returns
// the same *Tensor.
type Tensor struct {
	// Root is the root scope of the graph.
	Root *op.Scope
	// Path is the tensor's own scope.
	Path *op.Scope
	// Output is the tensor's current value.
	Output tf.Output
}

// NewTensor creates a *Tensor holding a copy (an Identity) of tfout in a
// new scope under scope.
func NewTensor(scope *op.Scope, tfout tf.Output) (tensor *Tensor) {
	tensor = new(Tensor)
	tensor.Root = scope
	tensor.Path = NewScope(scope)
	tensor.Output = op.Identity(tensor.Path.SubScope("Identity"), tfout)
	return tensor
}

// Check panics when building the graph failed.
func (tensor *Tensor) Check() {
	if err := tensor.Path.Err(); err != nil {
		panic(err.Error())
	}
}

// Scope returns the scope of the tensor.
func (tensor *Tensor) Scope() *op.Scope {
	return tensor.Path
}

// Shape64 returns the shape of the tensor, without its first dimension
// unless firstDimension is true.
func (tensor *Tensor) Shape64(firstDimension bool) []int64 {
	dims64, _ := tensor.Output.Shape().ToSlice()
	if firstDimension {
		return dims64
	}
	return dims64[1:]
}

// Shape32 is Shape64 as []int32.
func (tensor *Tensor) Shape32(firstDimension bool) []int32 {
	dims64 := tensor.Shape64(firstDimension)
	dims32 := make([]int32, len(dims64))
	for idx, dim := range dims64 {
		dims32[idx] = int32(dim)
	}
	return dims32
}

// Dtype returns the tensor's element type.
func (tensor *Tensor) Dtype() tf.DataType {
	return tensor.Output.DataType()
}

// Clone returns a copy of the tensor in a new scope.
func (tensor *Tensor) Clone() *Tensor {
	defer tensor.Check()
	scope := NewScope(tensor.Root)
	return NewTensor(scope, tensor.Output)
}

// Cast casts the tensor to dtype.
func (tensor *Tensor) Cast(dtype tf.DataType) *Tensor {
	defer tensor.Check()
	tensor.Output = Cast(tensor.Path, tensor.Output, dtype)
	return tensor
}

// binary replaces the tensor with f(tensor, y cast to the tensor's
// type), built in the sub-scope name.
func (tensor *Tensor) binary(name string, y tf.Output, f func(*op.Scope, tf.Output, tf.Output) tf.Output) *Tensor {
	defer tensor.Check()
	s := tensor.Path.SubScope(name)
	tensor.Output = f(s, tensor.Output, Cast(s, y, tensor.Dtype()))
	return tensor
}

// Add adds tfout, cast to the tensor's type.
func (tensor *Tensor) Add(tfout tf.Output) *Tensor {
	return tensor.binary("Add", tfout, op.Add)
}

// Mul multiplies element-wise (with broadcasting) by tfout, cast to the
// tensor's type.
func (tensor *Tensor) Mul(tfout tf.Output) *Tensor {
	return tensor.binary("Mul", tfout, op.Mul)
}

// MatMul multiplies the tensor by the matrix tfout, cast to the tensor's
// type.
func (tensor *Tensor) MatMul(tfout tf.Output) *Tensor {
	return tensor.binary("MatMul", tfout, func(s *op.Scope, a, b tf.Output) tf.Output { return op.MatMul(s, a, b) })
}

// Pow raises the tensor to y, cast to the tensor's type.
func (tensor *Tensor) Pow(y tf.Output) *Tensor {
	return tensor.binary("Pow", y, op.Pow)
}

// Square squares the tensor.
func (tensor *Tensor) Square() *Tensor {
	defer tensor.Check()
	return tensor.Pow(op.Const(tensor.Path.SubScope("y"), 2.))
}

// Sqrt takes the square root of the tensor.
func (tensor *Tensor) Sqrt() *Tensor {
	defer tensor.Check()
	return tensor.Pow(op.Const(tensor.Path.SubScope("y"), 0.5))
}
