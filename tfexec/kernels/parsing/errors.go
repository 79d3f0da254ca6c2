package parsing

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// ErrInvalidExample is matched (errors.Is) by the errors about the
// serialized data: an Example TensorFlow cannot parse, a feature of the
// wrong type or with the wrong number of values, a required feature
// missing. These errors also match kernel.ErrInvalidArgument, and their
// text is TensorFlow's.
var ErrInvalidExample = errors.New("invalid tf.Example")

// dataError is an error about the serialized data, worded as TensorFlow
// words it.
type dataError struct{ msg string }

func (e *dataError) Error() string { return e.msg }

// Is makes a dataError match ErrInvalidExample and
// kernel.ErrInvalidArgument.
func (e *dataError) Is(target error) bool {
	return target == ErrInvalidExample || target == kernel.ErrInvalidArgument
}

func dataErr(format string, args ...any) error {
	return &dataError{fmt.Sprintf(format, args...)}
}

// maxQuotedBytes is how much of a malformed Example an error shows.
const maxQuotedBytes = 64

// unparsable is TensorFlow's error for an Example its parser rejects. It
// shows the bytes escaped and at most maxQuotedBytes of them, where
// TensorFlow writes them all, raw.
func unparsable(serialized string) error {
	shown, more := serialized, ""
	if len(shown) > maxQuotedBytes {
		shown, more = shown[:maxQuotedBytes], fmt.Sprintf("... (%d bytes)", len(serialized))
	}
	q := strconv.Quote(shown)
	return dataErr("Could not parse example input, value: '%s'%s", q[1:len(q)-1], more)
}

// errUnsupported is TensorFlow's error for a requested Feature that starts
// with none of the three list tags.
func errUnsupported() error { return dataErr("Unsupported datatype.") }
