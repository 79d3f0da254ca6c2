// Package files implements tfexec's kernels for TensorFlow's ops that read
// files named at run time. Importing the package registers its kernel
// table (ops.go).
//
// # Ops
//
//   - ReadFile: the whole contents of the file a string scalar names, as
//     a string scalar, as TensorFlow's io_ops do it (tf.io.read_file).
//
// # Trust
//
// ReadFile reads the path its input holds, anywhere, as TensorFlow does:
// it is how a program's own preprocessing graph reads the images it is
// given (the classic label_image example feeds a path to ReadFile and
// DecodeJpeg). A graph from an untrusted source that computes or embeds
// a path can therefore read any file the process can; run such graphs
// with the file system permissions you would give TensorFlow. What
// ReadFile refuses is what could hang or exhaust the process: a path that
// is not a regular file (a directory, FIFO, socket or device, checked by
// type before and after opening, which is non-blocking) and a file larger
// than one tensor may be (tensor.MaxTensorBytes,
// TFOFFLOAD_MAX_TENSOR_BYTES), refused with a *tensor.TooLargeError
// before anything is read. WriteFile is not implemented: a kernel that
// writes wherever a graph says is left to TensorFlow.
package files
