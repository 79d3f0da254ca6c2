// Package tensor holds the one Tensor type used across tfoffload.
//
// # Data model
//
// A Tensor is a data type ([DType]), a [Shape] and its elements stored as a
// Go slice of the matching type, in row-major order. DType values are
// TensorFlow's DataType numbers, so a TensorProto's dtype converts without a
// table. Half-precision floats are stored as their bit patterns ([F16],
// [BF16]); strings are Go strings holding arbitrary bytes, as TensorFlow's
// DT_STRING does; resource and variant tensors hold opaque Go values.
// The quantized types (qint8, quint8, qint16, quint16, qint32) are held as
// the integers of their width ([DType.Storage]: a qint8 tensor's data is
// an []int8) but are distinct DTypes, neither integers nor numbers to
// [DType.IsInteger] and [DType.IsNumeric]; ONNX has no element type for
// them, and .npy files hold them as their integers.
//
// Tensors are shared by pointer and treated as immutable once handed to
// someone else: kernels and sessions never write to their inputs. Accessors
// such as [Values] and [Tensor.Bytes] return views of the tensor's memory,
// not copies, so a caller that owns a tensor can feed it to ONNX Runtime
// without copying.
//
// # Conversions
//
// [FromTFProto] and [ToTFProto] convert TensorFlow TensorProtos (every
// encoding: tensor_content, the typed *_val fields, a single value broadcast
// over the shape, half_val, string_val, resource handles). [FromONNXProto]
// and [ToONNXProto] do the same for ONNX TensorProtos (raw_data and typed
// fields). [ReadNPY] and [WriteNPY] read and write NumPy's .npy format.
//
// # Memory budget
//
// Sizes read from models, files and tensor values are not trusted: a tiny
// input can declare a tensor of terabytes. One process-wide budget bounds
// the bytes of a single tensor, [MaxTensorBytes]: [New] and every
// constructor that allocates ([FromBytes], [FromTFProto], [FromONNXProto],
// [FromFloat64s]) check it before allocating, and return a
// [*TooLargeError] (wrapping [ErrTooLarge], naming the dtype and shape)
// instead. Code that sizes an allocation from data without New (a kernel's
// scratch, a decoder's buffer, a command's generated input) calls
// [CheckAlloc] first. [MustNew] panics with the same error; tfexec's
// executor reports that panic as an ordinary error of the node.
//
// A second budget, [MaxRunBytes], bounds what one run of tfexec's
// executor holds at once; the executor enforces it (see
// tfexec.WithMaxRunBytes).
//
// Both come, in order of precedence, from [SetMaxTensorBytes] and
// [SetMaxRunBytes]; from TFOFFLOAD_MAX_TENSOR_BYTES and
// TFOFFLOAD_MAX_RUN_BYTES (a byte count such as 1073741824 or 4GiB, read
// once, on first use, by this package); else from the memory available to
// the process (physical memory, or its cgroup limit or RLIMIT_AS or
// RLIMIT_DATA where lower): half of it for one tensor, three quarters for
// a run. A malformed variable is reported as an error by tfexec.New and
// the bridge, and leaves the default here. Element sizes are the dtype's;
// string, resource and variant elements count their 16-byte headers, not
// their contents.
//
// # Comparison
//
// [Compare] checks two tensors element by element under a relative and an
// absolute tolerance, treats NaN as equal to NaN, and reports the worst
// element, which is what the op-corpus and model tests print on failure.
package tensor
