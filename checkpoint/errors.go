package checkpoint

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error the package returns is an [*Error] that
// wraps one of them (an I/O failure other than a missing file wraps the
// operating system's error instead); test with errors.Is.
var (
	// ErrCorrupt reports bytes that do not follow the format: a truncated
	// index, a bad magic number, a block or entry whose lengths and offsets
	// do not fit the file, an entry whose size does not match its dtype and
	// shape, partitioned slices that do not tile their tensor.
	ErrCorrupt = errors.New("corrupt checkpoint")
	// ErrChecksum reports bytes whose CRC32C does not match the one stored
	// with them: an index block or a tensor's data.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrNotFound reports a key the checkpoint does not hold, a missing data
	// shard, or a path that is not a checkpoint.
	ErrNotFound = errors.New("not found")
	// ErrUnsupported reports a valid checkpoint feature this package does
	// not read: the V1 format, variant tensors, an unknown
	// block compression, a bundle written by a newer TensorFlow.
	ErrUnsupported = errors.New("unsupported")
	// ErrClosed reports a read from a [Reader] after Close.
	ErrClosed = errors.New("reader is closed")
)

// Error is the error every function and method of the package returns: the
// file concerned, the tensor when one is, and why.
type Error struct {
	// File is the file the error is about: the .index file, a data shard,
	// the checkpoint state file, or the path given to [Open].
	File string
	// Key is the tensor's key in the checkpoint, empty when the error is
	// not about one tensor.
	Key string
	// Err is the reason; it wraps one of the package's sentinel errors or
	// an I/O error.
	Err error
}

// Error returns "checkpoint FILE: tensor "KEY": REASON" (without the tensor
// part when Key is empty).
func (e *Error) Error() string {
	s := "checkpoint " + e.File + ": "
	if e.Key != "" {
		s += "tensor " + strconv.Quote(e.Key) + ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns the reason, so errors.Is finds the sentinel.
func (e *Error) Unwrap() error { return e.Err }
