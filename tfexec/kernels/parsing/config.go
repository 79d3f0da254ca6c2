package parsing

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// kind says which output family a requested feature goes to.
type kind uint8

const (
	dense kind = iota
	sparse
	ragged
)

// ref locates a requested feature: its family and its index there.
type ref struct {
	kind  kind
	index int
}

// denseSpec is a dense feature's attributes: its dtype, its dense_shapes
// entry and what follows from it.
type denseSpec struct {
	dtype tensor.DType
	// shape is the attribute's shape; for a variable-length feature its
	// first dimension is -1.
	shape []int64
	// varLen reports a shape whose first dimension is unknown: a
	// FixedLenSequenceFeature, padded to the longest example.
	varLen bool
	// stride is the number of values per example (fixed length) or per
	// row of the first dimension (variable length).
	stride int
}

// raggedSpec is a ragged feature's value and row-split dtypes.
type raggedSpec struct {
	dtype, splits tensor.DType
}

// attrs are the attributes the three ops share, checked as TensorFlow's
// ParseExampleAttrs and ParseSingleExampleAttrs check them.
type attrs struct {
	sparse []tensor.DType
	dense  []denseSpec
	ragged []raggedSpec
}

// featureTypes are the dtypes a feature may have.
var featureTypes = []tensor.DType{tensor.Float32, tensor.Int64, tensor.String}

// readAttrs reads sparse_types, Tdense, dense_shapes and, when withRagged,
// ragged_value_types and ragged_split_types.
func readAttrs(n *kernel.Node, withRagged bool) (attrs, error) {
	var a attrs
	var err error
	if a.sparse, err = typeList(n, "sparse_types", featureTypes); err != nil {
		return a, err
	}
	denseTypes, err := typeList(n, "Tdense", featureTypes)
	if err != nil {
		return a, err
	}
	shapes, err := shapeList(n, "dense_shapes")
	if err != nil {
		return a, err
	}
	if len(denseTypes) != len(shapes) {
		return a, n.AttrError("dense_shapes", kernel.Invalid("len(dense_keys) != len(dense_shapes)"))
	}
	for i, s := range shapes {
		d, err := newDenseSpec(i, denseTypes[i], s)
		if err != nil {
			return a, n.AttrError("dense_shapes", err)
		}
		a.dense = append(a.dense, d)
	}
	if !withRagged {
		return a, nil
	}
	values, err := typeList(n, "ragged_value_types", featureTypes)
	if err != nil {
		return a, err
	}
	splits, err := typeList(n, "ragged_split_types", []tensor.DType{tensor.Int32, tensor.Int64})
	if err != nil {
		return a, err
	}
	if len(values) != len(splits) {
		return a, n.AttrError("ragged_split_types", kernel.Invalid("len(ragged_keys) != len(ragged_split_types)"))
	}
	for i := range values {
		a.ragged = append(a.ragged, raggedSpec{values[i], splits[i]})
	}
	return a, nil
}

// newDenseSpec checks the i-th dense shape as TensorFlow's GetDenseShapes
// does: known rank and inner dimensions, the first dimension known or -1.
func newDenseSpec(i int, dt tensor.DType, s partialShape) (denseSpec, error) {
	if !s.known || (len(s.dims) > 0 && slices.Contains(s.dims[1:], -1)) {
		return denseSpec{}, kernel.Invalid("dense_shapes[%d] has unknown rank or unknown inner dimensions: %s", i, s)
	}
	d := denseSpec{dtype: dt, shape: s.dims}
	inner := s.dims
	if len(s.dims) > 0 && s.dims[0] == -1 {
		d.varLen = true
		inner = s.dims[1:]
	}
	stride := int64(1)
	for _, v := range inner {
		if v != 0 && stride > (1<<53)/v {
			return denseSpec{}, kernel.Invalid("dense_shapes[%d] %s has too many elements", i, s)
		}
		stride *= v
	}
	d.stride = int(stride)
	// TensorFlow divides by the stride of a variable-length feature and
	// crashes on zero; refuse it instead.
	if d.varLen && d.stride == 0 {
		return denseSpec{}, kernel.Invalid("dense_shapes[%d] %s is variable-length with no elements per row", i, s)
	}
	return d, nil
}

// partialShape is a shape attribute: dimensions with -1 for unknown ones,
// and whether the rank is known.
type partialShape struct {
	dims  []int64
	known bool
}

// String formats the shape as TensorFlow's PartialTensorShape::DebugString
// does: "[?,3]", "[]", "<unknown>".
func (s partialShape) String() string {
	if !s.known {
		return "<unknown>"
	}
	return dimsString(s.dims)
}

func dimsString(dims []int64) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = strconv.FormatInt(d, 10)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// shapeString formats a tensor's shape as TensorShape::DebugString does.
func shapeString(s tensor.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// shapeList reads a list(shape) attribute; an absent one is empty.
func shapeList(n *kernel.Node, name string) ([]partialShape, error) {
	v, ok := n.Def.GetAttr()[name]
	if !ok {
		return nil, nil
	}
	if v.GetList() == nil {
		return nil, n.AttrError(name, kernel.Invalid("not a list"))
	}
	var out []partialShape
	for _, s := range v.GetList().GetShape() {
		dims, known := graph.ShapeDims(s)
		out = append(out, partialShape{dims, known})
	}
	return out, nil
}

// typeList reads a list(type) attribute whose entries must be in allowed.
func typeList(n *kernel.Node, name string, allowed []tensor.DType) ([]tensor.DType, error) {
	ts, err := n.Attrs.Types(name, nil)
	if err != nil {
		return nil, n.AttrError(name, err)
	}
	for _, t := range ts {
		if !slices.Contains(allowed, t) {
			return nil, n.AttrError(name, kernel.Unsupported("dtype %v", t))
		}
	}
	return ts, nil
}

// count reads a non-negative int attribute that counts inputs.
func count(n *kernel.Node, name string) (int, error) {
	v, err := n.Attrs.Int(name, 0)
	if err != nil {
		return 0, n.AttrError(name, err)
	}
	if v < 0 || v > 1<<20 {
		return 0, n.AttrError(name, kernel.Invalid("%d is out of range", v))
	}
	return int(v), nil
}

// typeName is TensorFlow's DataTypeString for the feature dtypes.
func typeName(dt tensor.DType) string {
	if dt == tensor.Float32 {
		return "float"
	}
	return dt.String()
}

// listName is the word TensorFlow's count errors use for a list's values.
func listName(dt tensor.DType) string {
	if dt == tensor.String {
		return "bytes"
	}
	return typeName(dt)
}

// config is one parse's request: the features' keys with their attributes
// and the dense defaults, as TensorFlow's FastParseExampleConfig.
type config struct {
	attrs
	denseKeys, sparseKeys, raggedKeys []string
	defaults                          []*tensor.Tensor
	index                             map[string]ref
}

// newIndex maps every key to its feature. A key asked for twice is an
// error (TensorFlow's fails with "Could not avoid collision").
func newIndex(denseKeys, sparseKeys, raggedKeys []string) (map[string]ref, error) {
	index := make(map[string]ref, len(denseKeys)+len(sparseKeys)+len(raggedKeys))
	for _, ks := range []struct {
		kind kind
		keys []string
	}{{dense, denseKeys}, {sparse, sparseKeys}, {ragged, raggedKeys}} {
		for i, k := range ks.keys {
			if _, dup := index[k]; dup {
				return nil, kernel.Invalid("Could not avoid collision: feature key %s is requested twice", printable(k))
			}
			index[k] = ref{ks.kind, i}
		}
	}
	return index, nil
}

// checkDefaults checks dense_defaults against the dense attributes, as
// TensorFlow's kernels do before parsing.
func (a attrs) checkDefaults(defaults []*tensor.Tensor) error {
	if len(defaults) != len(a.dense) {
		return kernel.Invalid("Expected len(dense_defaults) == len(dense_keys) but got: %d vs. %d", len(defaults), len(a.dense))
	}
	for d, def := range defaults {
		spec := a.dense[d]
		shape := partialShape{spec.shape, true}
		if spec.varLen {
			if def.NumElements() != 1 {
				return kernel.Invalid("dense_shape[%d] is a variable length shape: %s, therefore def_value[%d] "+
					"must contain a single element (the padding element).  But its shape is: %s", d, shape, d, shapeString(def.Shape()))
			}
		} else if def.NumElements() > 0 && !sameDims(spec.shape, def.Shape()) {
			return kernel.Invalid("def_value[%d].shape() == %s is not compatible with dense_shapes_[%d] == %s", d, shapeString(def.Shape()), d, shape)
		}
		if def.DType() != spec.dtype {
			return kernel.Invalid("dense_defaults[%d].dtype() == %s != dense_types_[%d] == %s", d, typeName(def.DType()), d, typeName(spec.dtype))
		}
	}
	return nil
}

func sameDims(dims []int64, s tensor.Shape) bool {
	if len(dims) != len(s) {
		return false
	}
	for i, d := range dims {
		if d != int64(s[i]) {
			return false
		}
	}
	return true
}

// keyList reads the keys of a V2 key input: every string of the tensor.
func keyList(name string, t *tensor.Tensor) ([]string, error) {
	if t.DType() != tensor.String {
		return nil, kernel.Invalid("%s must be a string tensor, got %v", name, t.DType())
	}
	return tensor.Values[string](t), nil
}

// scalarKeys reads V1's key inputs, one string scalar each.
func scalarKeys(name string, ts []*tensor.Tensor) ([]string, error) {
	keys := make([]string, len(ts))
	for i, t := range ts {
		if t.DType() != tensor.String || t.Rank() != 0 {
			return nil, kernel.Invalid("%s[%d] must be a string scalar, got %v %s", name, i, t.DType(), shapeString(t.Shape()))
		}
		keys[i] = tensor.Values[string](t)[0]
	}
	return keys, nil
}

// printable returns s as it can appear in a one-line error: unchanged when
// it is printable UTF-8, else Go-quoted.
func printable(s string) string {
	for _, r := range s {
		if !strconv.IsPrint(r) || r == '\ufffd' {
			return strconv.Quote(s)
		}
	}
	return s
}
