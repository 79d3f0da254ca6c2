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
// ReadFile reads the path its input holds, as TensorFlow does, but only
// where the executor's file access allows (tfexec.WithFileAccess,
// kernel.FileAccess): a graph may come from anyone, and a path it embeds,
// computes or is fed ("/etc/passwd" sent to a served model) must not
// reach the rest of the file system. An executor allows no files by
// default. Package bridge lets a model loaded from disk read inside its
// own folder (bridge.WithFileAccess widens it, the CLI's --allow-read
// too); the folders are checked as graph.OpenModelFile checks a model's
// own files: a path with a ".." element is refused, and after its
// symbolic links are followed the file must still lie inside. Graphs the
// program builds itself (package compat/tf, the bindings' classic
// ReadFile and DecodeJpeg preprocessing) may read any file. A refused
// path fails the run with an error that wraps ErrFileAccess and names the
// node, the path and the options that allow it.
//
// Wherever it may read, ReadFile refuses what could hang or exhaust the
// process: a path that is not a regular file (a directory, FIFO, socket or
// device, checked by type before and after opening, which is
// non-blocking) and a file larger than one tensor may be
// (tensor.MaxTensorBytes, TFOFFLOAD_MAX_TENSOR_BYTES), refused with a
// *tensor.TooLargeError before anything is read. WriteFile is not
// implemented: a kernel that writes wherever a graph says is left to
// TensorFlow.
package files
