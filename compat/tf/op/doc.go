// Package op is the bindings' op package over tfoffload: Scope (NewScope,
// SubScope with TensorFlow's name de-duplication, WithControlDependencies,
// WithDevice, Finalize, Err), Const, and one function per op that
// tfoffload's executor runs, with TensorFlow's Go name, argument order
// (inputs, then required attributes) and optional-attribute setters
// (ResizeBilinearAlignCorners, DecodeJpegChannels, …).
//
// The wrappers in wrappers.go are generated (go generate) from the op
// signatures in opdefs/ops.txt, the table the executor and the freezer
// share, as TensorFlow generates its own from its OpDefs. Ops with
// function attributes (If, While, PartitionedCall and their kin) have no
// wrapper, as in the bindings.
//
// Graph building checks each operation as TensorFlow does: an unknown op,
// a wrong attribute type or a second operation with the same name in a
// scope records an error in the scope (Scope.Err, Finalize), and the
// outputs' DataType and Shape are known before anything runs.
package op
