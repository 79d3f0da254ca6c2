package graph

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of [Load] and the parsers. Each error Load returns wraps
// exactly one of them; test with errors.Is.
var (
	// ErrNotModel reports a file that is not a TensorFlow model at all: an
	// image, random bytes, a protobuf or JSON document of another kind, an
	// empty file, a directory without a model.
	ErrNotModel = errors.New("not a TensorFlow model")
	// ErrCorrupt reports a file of a recognised format that cannot be read
	// to the end: a truncated or damaged protobuf, a JSON syntax error, a
	// graph whose nodes contradict each other.
	ErrCorrupt = errors.New("corrupt model file")
	// ErrNoMetaGraph reports a SavedModel without a MetaGraphDef for the
	// requested tags. The error is a [*TagsError].
	ErrNoMetaGraph = errors.New("no MetaGraphDef with the requested tags")
	// ErrWeights reports TF.js weights that cannot be decoded: a missing,
	// short or overlong shard, an unknown dtype or quantization, a weight
	// that names no Const node or a Const node without a weight. The
	// error is a [*WeightError].
	ErrWeights = errors.New("bad TF.js weights")
	// ErrUnsupported reports a model of a known kind that tfoffload does not
	// load, such as a TF.js layers model.
	ErrUnsupported = errors.New("unsupported model")
	// ErrUnsafePath reports a file a model names that Load refuses to
	// read: a path that leaves the model's directory (an absolute path,
	// "..", or a symbolic link leading out), or something other than a
	// regular file (a directory, FIFO, socket or device).
	ErrUnsafePath = errors.New("unsafe file in model")
	// ErrTooLarge reports a model file larger than its format allows (a
	// protobuf over 2 GiB, a model.json over 256 MiB) or larger than the
	// model declares (a TF.js shard holding more bytes than its group's
	// weights).
	ErrTooLarge = errors.New("model file too large")
)

// LoadError is the error [Load] returns: the file it could not load and
// why. Err wraps one of the package's sentinel errors.
type LoadError struct {
	// Path is the file (or directory) that could not be loaded, as given to
	// Load or as found inside the given directory.
	Path string
	// Format is the format the file was recognised as, FormatUnknown when
	// recognition failed.
	Format Format
	// Err is the reason.
	Err error
}

// Error returns "load PATH: REASON".
func (e *LoadError) Error() string { return "load " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the reason, so errors.Is finds the sentinel.
func (e *LoadError) Unwrap() error { return e.Err }

// TagsError reports a SavedModel that has no MetaGraphDef with the
// requested tag set. It wraps [ErrNoMetaGraph].
type TagsError struct {
	// Want is the tag set that was asked for.
	Want []string
	// Available lists the tag set of every MetaGraphDef, in file order.
	Available [][]string
}

// Error lists the wanted tags and the tag sets the SavedModel has.
func (e *TagsError) Error() string {
	sets := make([]string, len(e.Available))
	for i, s := range e.Available {
		sets[i] = formatTags(s)
	}
	return fmt.Sprintf("%v %s; available tag sets: %s", ErrNoMetaGraph, formatTags(e.Want), strings.Join(sets, ", "))
}

// Unwrap returns [ErrNoMetaGraph].
func (e *TagsError) Unwrap() error { return ErrNoMetaGraph }

func formatTags(tags []string) string { return "[" + strings.Join(tags, ",") + "]" }

// WeightError reports one TF.js weight (or weight shard) that cannot be
// decoded. It wraps [ErrWeights] and, where there is one, the underlying
// I/O error.
type WeightError struct {
	// Weight is the weight's name in the manifest; empty when the problem
	// is a shard no weight needs or a node without a weight.
	Weight string
	// Node is the Const node that has no weight, when that is the
	// problem; Group is then meaningless.
	Node string
	// Group is the weight group's position in weightsManifest, from 0.
	Group int
	// Shard is the shard file involved, if any.
	Shard string
	// Reason says what is wrong; empty when Err says it all.
	Reason string
	// Err is the underlying error, such as a file system error; may be nil.
	Err error
}

// Error describes the weight, the shard and the reason.
func (e *WeightError) Error() string {
	var b strings.Builder
	b.WriteString(ErrWeights.Error())
	b.WriteString(": ")
	switch {
	case e.Weight != "":
		fmt.Fprintf(&b, "weight %q (group %d): ", e.Weight, e.Group+1)
	case e.Node != "":
		fmt.Fprintf(&b, "Const node %q: ", e.Node)
	default:
		fmt.Fprintf(&b, "weight group %d: ", e.Group+1)
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		if e.Reason != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns [ErrWeights] and the underlying error.
func (e *WeightError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrWeights}
	}
	return []error{ErrWeights, e.Err}
}
