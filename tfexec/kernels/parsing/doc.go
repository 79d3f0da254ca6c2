// Package parsing implements tfexec's kernels for TensorFlow's tf.Example
// parsing ops, which TF Serving's classify and regress signatures and TFX
// exports put at the front of a model: they take serialized
// tensorflow.Example protos (string tensors) and return the features the
// graph asks for. Each kernel follows TensorFlow's CPU kernel
// (example_parsing_ops.cc) and its fast parser
// (example_proto_fast_parsing.cc): what it accepts and rejects, output
// shapes and dtypes, and the wording of its errors. Importing the package
// registers its kernel table (ops.go).
//
// # Ops
//
// Features come in three kinds, each with its keys and dtypes (float,
// int64 or string):
//
//   - dense (FixedLenFeature): shape dense_shapes[i]. A missing feature
//     takes its default (dense_defaults[i], of that shape); without a
//     default (an empty tensor) it is an error. A shape whose first
//     dimension is -1 (FixedLenSequenceFeature) takes any number of rows,
//     padded with the default's single value to the longest example.
//   - sparse (VarLenFeature): three outputs, the indices, values and
//     dense shape of a SparseTensor.
//   - ragged (RaggedFeature, ParseExampleV2 only): values and row splits
//     (int32 or int64).
//
// The ops:
//
//   - ParseExample: serialized [batch], names ([batch] or empty), Nsparse
//     sparse keys and Ndense dense keys (string scalars), the dense
//     defaults. Outputs: sparse indices [n, 2] of (example, position),
//     sparse values [n], sparse shapes [batch, longest] (one of each per
//     sparse key), then the dense values [batch, dense_shape...].
//   - ParseExampleV2: the same with the keys as string vectors and ragged
//     features after the dense ones: values [n] and row splits
//     [batch+1]. A scalar serialized parses one Example as
//     ParseSingleExample does.
//   - ParseSingleExample: one serialized Example (a scalar) with its keys
//     as attributes. Sparse indices are [n, 1] and dense shapes [n]; a
//     variable-length dense feature has the rows the example gives,
//     unpadded; ragged row splits are empty.
//
// Within an Example the last entry of a key wins, and a Feature with no
// list set counts as absent (for sparse and ragged features of a batch it
// counts as present and empty, as in TensorFlow). An Example is read the
// way TensorFlow's fast parser reads it, which is not quite the protobuf
// specification: concatenated Examples merge, unknown top-level fields
// are skipped, but a feature map entry must hold exactly its key and
// value, and only the first list of a Feature is read.
//
// # Errors
//
// Errors about the data (an Example that cannot be parsed, a feature of
// the wrong type or size, a required feature missing) match
// [ErrInvalidExample] and kernel.ErrInvalidArgument, and read as
// TensorFlow's: "Name: <unknown>, Feature: x (data type: float) is
// required but could not be found.", "Name: <unknown>, Key: x, Index: 0.
// Data types don't match. Data type: int64 but expected type: float".
// Errors about the inputs' shapes and the attributes match
// kernel.ErrInvalidArgument, except a dtype outside an op's type lists,
// which matches kernel.ErrUnsupported.
//
// # Differences from TensorFlow
//
// A malformed Example's error shows its first 64 bytes, escaped, where
// TensorFlow prints all of them raw; keys and names that are not
// printable are quoted. A variable-length dense feature whose count is
// not a multiple of its row size reports the example's count, where
// TensorFlow reports the count gathered so far in its minibatch (the same
// for batches of up to eight). A key requested twice is an
// InvalidArgument error (TensorFlow's is Internal, "Could not avoid
// collision"). A variable-length dense shape with no elements per row,
// on which TensorFlow divides by zero, is refused when the node is
// prepared, as are attributes that disagree with each other. Where
// TensorFlow writes past a fixed-size output (more unpacked floats than
// the dense shape holds), the kernel reports the count error TensorFlow
// reports after it. Examples are parsed one after another rather than in
// parallel minibatches; the first failing example is the one reported,
// as in TensorFlow.
//
// # Memory
//
// Counts come from the data, so every output and every buffer that grows
// with the data is checked against the memory budget before it is
// allocated: a list is counted before its values are stored, and the
// dense outputs, batch × dense shape, are allocated with tensor.New.
package parsing
