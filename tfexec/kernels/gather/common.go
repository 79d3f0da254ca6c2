package gather

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// index is the set of Go types TensorFlow index tensors hold.
type index interface{ int32 | int64 }

// indexData returns the elements of an int32 or int64 index tensor.
func indexData(t *tensor.Tensor, what string) (any, error) {
	switch v := t.Data().(type) {
	case []int32, []int64:
		return v, nil
	}
	return nil, kernel.Unsupported("%s dtype %v (want int32 or int64)", what, t.DType())
}

// scalarInt reads a scalar int32 or int64 input.
func scalarInt(t *tensor.Tensor, what string) (int, error) {
	if t.Rank() != 0 {
		return 0, kernel.Invalid("%s must be scalar, got shape %v", what, t.Shape())
	}
	v, err := kernel.Int(t)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// joinInts formats values as TensorFlow's str_util::Join(v, ", ") does.
func joinInts[I index](v []I) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatInt(int64(x), 10)
	}
	return strings.Join(parts, ", ")
}

// badIndicesPolicy is TensorFlow's bad_indices_policy attribute of the
// *Nd gather and scatter ops.
type badIndicesPolicy int

const (
	policyError  badIndicesPolicy = iota // "", "DEFAULT" (on CPU) and "ERROR"
	policyIgnore                         // "IGNORE": skip bad indices
)

// parseBadIndicesPolicy reads the bad_indices_policy attribute.
func parseBadIndicesPolicy(n *kernel.Node) (badIndicesPolicy, error) {
	s, err := n.Attrs.String("bad_indices_policy", "")
	if err != nil {
		return 0, err
	}
	switch s {
	case "", "DEFAULT", "ERROR":
		return policyError, nil
	case "IGNORE":
		return policyIgnore, nil
	}
	return 0, fmt.Errorf("attribute %q: unknown value %q (want \"\", DEFAULT, ERROR or IGNORE)", "bad_indices_policy", s)
}

// checkIndexDType validates an index-type attribute (Tindices and the
// like) when present.
func checkIndexDType(n *kernel.Node, attr string) error {
	dt, err := n.Attrs.Type(attr, tensor.Int32)
	if err != nil {
		return err
	}
	if dt != tensor.Int32 && dt != tensor.Int64 {
		return fmt.Errorf("attribute %q: %w", attr, kernel.Unsupported("index dtype %v", dt))
	}
	return nil
}

// product returns the product of dims.
func product(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}
