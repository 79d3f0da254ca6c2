package parsing

import (
	"errors"

	"github.com/tfoffload/tfoffload/tensor"
)

// result is a parse's outputs, in the order of the op's output lists.
type result struct {
	sparseIndices, sparseValues, sparseShapes []*tensor.Tensor
	dense                                     []*tensor.Tensor
	raggedValues, raggedSplits                []*tensor.Tensor
}

// outputs flattens r into the op's outputs; the ragged lists only for
// ParseExampleV2.
func (r *result) outputs(withRagged bool) []*tensor.Tensor {
	var out []*tensor.Tensor
	out = append(out, r.sparseIndices...)
	out = append(out, r.sparseValues...)
	out = append(out, r.sparseShapes...)
	out = append(out, r.dense...)
	if withRagged {
		out = append(out, r.raggedValues...)
		out = append(out, r.raggedSplits...)
	}
	return out
}

// batch is the state of one batch parse.
type batch struct {
	*config
	// dense holds the fixed-length dense outputs, filled example by
	// example; nil for variable-length features.
	dense []*tensor.Tensor
	// varDense, sparse and ragged gather the variable-length features;
	// varDense[d] is nil for fixed-length ones.
	varDense, sparse, ragged []*column
	// The features seen in the current example.
	denseSeen, sparseSeen, raggedSeen []bool
	entries                           []entry
}

// parseBatch parses a vector of serialized Examples as TensorFlow's
// FastParseExample does. names, when not empty, name the examples in
// errors.
func parseBatch(c *config, serialized, names []string) (*result, error) {
	// The columns hold an end index per example and feature.
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{len(c.index), len(serialized)}); err != nil {
		return nil, err
	}
	b := &batch{
		config:     c,
		dense:      make([]*tensor.Tensor, len(c.dense)),
		varDense:   make([]*column, len(c.dense)),
		sparse:     make([]*column, len(c.sparse)),
		ragged:     make([]*column, len(c.ragged)),
		denseSeen:  make([]bool, len(c.dense)),
		sparseSeen: make([]bool, len(c.sparse)),
		raggedSeen: make([]bool, len(c.ragged)),
	}
	for d, spec := range c.dense {
		if spec.varLen {
			b.varDense[d] = &column{dtype: spec.dtype}
			continue
		}
		shape := tensor.Shape{len(serialized)}
		for _, v := range spec.shape {
			shape = append(shape, int(v))
		}
		var err error
		if b.dense[d], err = tensor.New(spec.dtype, shape); err != nil {
			return nil, err
		}
	}
	for d, dt := range c.sparse {
		b.sparse[d] = &column{dtype: dt}
	}
	for d, spec := range c.ragged {
		b.ragged[d] = &column{dtype: spec.dtype}
	}
	for e, s := range serialized {
		name := "<unknown>"
		if len(names) > 0 {
			name = printable(names[e])
		}
		if err := b.example(e, name, s); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// example parses the e-th Example. TensorFlow walks its features from the
// last to the first, so that the last of several entries of a key wins;
// an empty Feature counts as absent for a dense feature but not for a
// sparse or ragged one, as in TensorFlow.
func (b *batch) example(e int, name, serialized string) error {
	var err error
	b.entries, err = splitExample(serialized, b.index, b.entries)
	if errors.Is(err, errMalformed) {
		return unparsable(serialized)
	}
	if err != nil {
		return err
	}
	clear(b.denseSeen)
	clear(b.sparseSeen)
	clear(b.raggedSeen)
	for i := len(b.entries) - 1; i >= 0; i-- {
		en := b.entries[i]
		fail := func(format string, args ...any) error {
			return dataErr("Name: %s, Key: %s, Index: %d.  "+format,
				append([]any{name, printable(b.key(en.ref)), e}, args...)...)
		}
		dt, list, err := featureList(en.feature)
		if err != nil {
			return errUnsupported()
		}
		if en.ref.kind == dense {
			if dt == tensor.Invalid || b.denseSeen[en.ref.index] {
				continue
			}
			b.denseSeen[en.ref.index] = true
			if err := b.denseFeature(e, en.ref.index, dt, list, fail); err != nil {
				return err
			}
			continue
		}
		seen, cols := b.sparseSeen, b.sparse
		if en.ref.kind == ragged {
			seen, cols = b.raggedSeen, b.ragged
		}
		c := cols[en.ref.index]
		if seen[en.ref.index] {
			continue
		}
		seen[en.ref.index] = true
		if dt != tensor.Invalid && dt != c.dtype {
			return fail("Data types don't match. Expected type: %s, Actual type: %s", typeName(c.dtype), typeName(dt))
		}
		if dt != tensor.Invalid {
			if _, ok, err := c.add(list); err != nil {
				return err
			} else if !ok {
				return fail("Can't parse serialized Example.")
			}
		}
		c.endExample()
	}
	return b.missing(e, name)
}

// denseFeature parses the d-th dense feature of example e from list, a
// list of dtype dt.
func (b *batch) denseFeature(e, d int, dt tensor.DType, list string, fail func(string, ...any) error) error {
	spec := b.config.dense[d]
	if dt != spec.dtype {
		return fail("Data types don't match. Data type: %s but expected type: %s", typeName(dt), typeName(spec.dtype))
	}
	shape := partialShape{spec.shape, true}
	if spec.varLen {
		c := b.varDense[d]
		n, ok, err := c.add(list)
		if err != nil {
			return err
		}
		if !ok {
			return fail("Can't parse serialized Example.")
		}
		if n%spec.stride != 0 {
			return fail("Number of %s values is not a multiple of stride length. Saw %d values but output shape is: %s",
				listName(dt), n, shape)
		}
		c.endExample()
		return nil
	}
	n, ok := decodeInto(b.dense[d], e*spec.stride, spec.stride, list)
	if !ok {
		return fail("Can't parse serialized Example.")
	}
	if n != spec.stride {
		return fail("Number of %s values != expected.  Values size: %d but output shape: %s", listName(dt), n, shape)
	}
	return nil
}

// decodeInto decodes list into out's values [off, off+n), as TensorFlow
// parses into a fixed-size slice of its output: it returns the number of
// values the list holds, which may differ from n.
func decodeInto(out *tensor.Tensor, off, n int, list string) (int, bool) {
	switch out.DType() {
	case tensor.Int64:
		return decodeInt64s(list, tensor.Values[int64](out)[off:off+n])
	case tensor.Float32:
		return decodeFloats(list, tensor.Values[float32](out)[off:off+n], true)
	}
	return decodeBytes(list, tensor.Values[string](out)[off:off+n], true)
}

// missing fills in the features example e lacks: a fixed-length dense
// feature's default (an error without one), no values for the others.
func (b *batch) missing(e int, name string) error {
	for d, spec := range b.config.dense {
		if b.denseSeen[d] {
			continue
		}
		if spec.varLen {
			b.varDense[d].endExample()
			continue
		}
		def := b.defaults[d]
		if def.NumElements() == 0 {
			return dataErr("Name: %s, Feature: %s (data type: %s) is required but could not be found.",
				name, printable(b.denseKeys[d]), typeName(spec.dtype))
		}
		copyValues(b.dense[d], e*spec.stride, def)
	}
	for d, seen := range b.sparseSeen {
		if !seen {
			b.sparse[d].endExample()
		}
	}
	for d, seen := range b.raggedSeen {
		if !seen {
			b.ragged[d].endExample()
		}
	}
	return nil
}

// copyValues copies src's values into dst's from index off.
func copyValues(dst *tensor.Tensor, off int, src *tensor.Tensor) {
	switch dst.DType() {
	case tensor.Int64:
		copy(tensor.Values[int64](dst)[off:], tensor.Values[int64](src))
	case tensor.Float32:
		copy(tensor.Values[float32](dst)[off:], tensor.Values[float32](src))
	default:
		copy(tensor.Values[string](dst)[off:], tensor.Values[string](src))
	}
}

// finish builds the outputs from the gathered columns.
func (b *batch) finish() (*result, error) {
	r := &result{dense: b.dense}
	for d, c := range b.varDense {
		if c == nil {
			continue
		}
		var err error
		if r.dense[d], err = c.padded(b.config.dense[d], b.defaults[d]); err != nil {
			return nil, err
		}
	}
	for _, c := range b.sparse {
		ix, v, s, err := c.sparse()
		if err != nil {
			return nil, err
		}
		r.sparseIndices = append(r.sparseIndices, ix)
		r.sparseValues = append(r.sparseValues, v)
		r.sparseShapes = append(r.sparseShapes, s)
	}
	for d, c := range b.ragged {
		v, s, err := c.ragged(b.config.ragged[d].splits)
		if err != nil {
			return nil, err
		}
		r.raggedValues = append(r.raggedValues, v)
		r.raggedSplits = append(r.raggedSplits, s)
	}
	return r, nil
}

// key returns the key of the feature r locates.
func (c *config) key(r ref) string {
	switch r.kind {
	case dense:
		return c.denseKeys[r.index]
	case sparse:
		return c.sparseKeys[r.index]
	}
	return c.raggedKeys[r.index]
}
