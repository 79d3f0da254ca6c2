package parsing

import (
	"errors"

	"github.com/tfoffload/tfoffload/tensor"
)

// parseSingle parses one serialized Example as TensorFlow's
// FastParseSingleExample does (ParseSingleExample, and ParseExampleV2 on a
// scalar): a sparse feature's indices are [n, 1] and its dense shape [n];
// a ragged feature's row splits are empty; a variable-length dense
// feature has the rows the example gives, unpadded. Unlike the batch
// parse, an empty Feature counts as absent for every kind of feature.
func parseSingle(c *config, serialized string) (*result, error) {
	entries, err := splitExample(serialized, c.index, nil)
	if errors.Is(err, errMalformed) {
		return nil, unparsable(serialized)
	}
	if err != nil {
		return nil, err
	}
	r := &result{
		dense:         make([]*tensor.Tensor, len(c.dense)),
		sparseIndices: make([]*tensor.Tensor, len(c.sparse)),
		sparseValues:  make([]*tensor.Tensor, len(c.sparse)),
		sparseShapes:  make([]*tensor.Tensor, len(c.sparse)),
		raggedValues:  make([]*tensor.Tensor, len(c.ragged)),
		raggedSplits:  make([]*tensor.Tensor, len(c.ragged)),
	}
	seen := map[kind][]bool{
		dense:  make([]bool, len(c.dense)),
		sparse: make([]bool, len(c.sparse)),
		ragged: make([]bool, len(c.ragged)),
	}
	for i := len(entries) - 1; i >= 0; i-- {
		en := entries[i]
		dt, list, err := featureList(en.feature)
		if err != nil {
			return nil, errUnsupported()
		}
		if dt == tensor.Invalid || seen[en.ref.kind][en.ref.index] {
			continue
		}
		seen[en.ref.kind][en.ref.index] = true
		if err := r.feature(c, en.ref, dt, list); err != nil {
			return nil, err
		}
	}
	return r, r.missing(c, seen)
}

// feature parses the feature f locates from list, a list of dtype dt.
func (r *result) feature(c *config, f ref, dt tensor.DType, list string) error {
	key := printable(c.key(f))
	fail := func(format string, args ...any) error {
		return dataErr("Key: %s.  "+format, append([]any{key}, args...)...)
	}
	var want tensor.DType
	switch f.kind {
	case dense:
		want = c.dense[f.index].dtype
	case sparse:
		want = c.sparse[f.index]
	case ragged:
		want = c.ragged[f.index].dtype
	}
	if dt != want {
		if f.kind == dense {
			return fail("Data types don't match. Data type: %s but expected type: %s", typeName(dt), typeName(want))
		}
		return fail("Data types don't match. Expected type: %s, Actual type: %s", typeName(want), typeName(dt))
	}
	if f.kind == dense && !c.dense[f.index].varLen {
		spec := c.dense[f.index]
		out, err := tensor.New(spec.dtype, intShape(spec.shape))
		if err != nil {
			return err
		}
		n, ok := decodeInto(out, 0, spec.stride, list)
		if !ok {
			return fail("Can't parse serialized Example: Parsing %s failed.", listField(dt))
		}
		if n != spec.stride {
			return fail("Can't parse serialized Example: Some %s slice was not parsed.", listField(dt))
		}
		r.dense[f.index] = out
		return nil
	}
	col := &column{dtype: dt}
	n, ok, err := col.add(list)
	if err != nil {
		return err
	}
	if !ok {
		if dt == tensor.String {
			return fail("Can't parse serialized Example: Could not get num elements in bytes_list.")
		}
		return fail("Can't parse serialized Example: Parsing %s failed.", listField(dt))
	}
	values, err := col.values()
	if err != nil {
		return err
	}
	switch f.kind {
	case dense:
		spec := c.dense[f.index]
		if n%spec.stride != 0 {
			return dataErr("Error while parsing feature with key %s: number of elements should be divisible by %d, found %d instead",
				key, spec.stride, n)
		}
		shape := append(tensor.Shape{n / spec.stride}, intShape(spec.shape[1:])...)
		if r.dense[f.index], err = values.Reshape(shape); err != nil {
			return err
		}
	case sparse:
		indices, err := tensor.New(tensor.Int64, tensor.Shape{n, 1})
		if err != nil {
			return err
		}
		ix := tensor.Values[int64](indices)
		for i := range ix {
			ix[i] = int64(i)
		}
		r.sparseIndices[f.index] = indices
		r.sparseValues[f.index] = values
		r.sparseShapes[f.index] = tensor.MustFromSlice(tensor.Shape{1}, []int64{int64(n)})
	case ragged:
		r.raggedValues[f.index] = values
	}
	return nil
}

// missing fills in the outputs of the features the example lacks, and the
// ragged row splits, which are empty for a single example.
func (r *result) missing(c *config, seen map[kind][]bool) error {
	for d, spec := range c.dense {
		switch {
		case seen[dense][d]:
		case spec.varLen:
			r.dense[d] = tensor.MustNew(spec.dtype, append(tensor.Shape{0}, intShape(spec.shape[1:])...))
		case c.defaults[d].NumElements() == 0:
			return dataErr("Feature: %s (data type: %s) is required but could not be found.",
				printable(c.denseKeys[d]), typeName(spec.dtype))
		default:
			r.dense[d] = c.defaults[d]
		}
	}
	for d, dt := range c.sparse {
		if !seen[sparse][d] {
			r.sparseIndices[d] = tensor.MustNew(tensor.Int64, tensor.Shape{0, 1})
			r.sparseValues[d] = tensor.MustNew(dt, tensor.Shape{0})
			r.sparseShapes[d] = tensor.MustFromSlice(tensor.Shape{1}, []int64{0})
		}
	}
	for d, spec := range c.ragged {
		if !seen[ragged][d] {
			r.raggedValues[d] = tensor.MustNew(spec.dtype, tensor.Shape{0})
		}
		r.raggedSplits[d] = tensor.MustNew(spec.splits, tensor.Shape{0})
	}
	return nil
}

// listField is the name of a Feature's list field of dtype dt.
func listField(dt tensor.DType) string {
	switch dt {
	case tensor.Int64:
		return "int64_list"
	case tensor.Float32:
		return "float_list"
	}
	return "bytes_list"
}

func intShape(dims []int64) tensor.Shape {
	s := make(tensor.Shape, len(dims))
	for i, d := range dims {
		s[i] = int(d)
	}
	return s
}
