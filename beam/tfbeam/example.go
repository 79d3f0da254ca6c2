package tfbeam

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// exampleFeeds makes the feeds for one serialized tf.Example: every
// input is filled from the feature of its name, except that a model
// whose only (or named) input is a string tensor with no feature of its
// name, and that is a vector or a scalar, takes the record itself, as a
// batch of one, for its own ParseExample.
func exampleFeeds(inputs []graph.TensorInfo, inputName string, record []byte) (map[string]*tensor.Tensor, error) {
	var ex tfpb.Example
	parseErr := proto.Unmarshal(record, &ex)
	if in, err := fedInput(inputs, inputName); err == nil && takesRecords(in) && ex.GetFeatures().GetFeature()[featureName(in)] == nil {
		shape := tensor.Shape{1}
		if in.RankKnown && len(in.Shape) == 0 {
			shape = tensor.Shape{}
		}
		t, err := tensor.FromSlice(shape, []string{string(record)})
		if err != nil {
			return nil, err
		}
		return map[string]*tensor.Tensor{in.Name: t}, nil
	}
	if parseErr != nil {
		return nil, fmt.Errorf("the record is not a tf.Example: %w", parseErr)
	}
	features := ex.GetFeatures().GetFeature()
	feeds := map[string]*tensor.Tensor{}
	for _, in := range inputs {
		name := featureName(in)
		f, ok := features[name]
		if !ok {
			return nil, fmt.Errorf("input %s: the tf.Example has no feature %q", in.Name, name)
		}
		t, err := featureTensor(f, in)
		if err != nil {
			return nil, fmt.Errorf("input %s: feature %q: %w", in.Name, name, err)
		}
		feeds[in.Name] = t
	}
	return feeds, nil
}

// takesRecords reports an input that can hold serialized records: a
// string vector (a batch), a string scalar, or a string of unknown rank.
func takesRecords(in graph.TensorInfo) bool {
	return in.DType == tensor.String && (!in.RankKnown || len(in.Shape) <= 1)
}

// featureName is the feature an input is read from: its signature key,
// else its node name ("x" for "x:0").
func featureName(in graph.TensorInfo) string {
	if in.Key != "" {
		return in.Key
	}
	if t, err := graph.ParseTensorName(in.Name); err == nil {
		return t.Node
	}
	return in.Name
}

// featureTensor converts one feature's values to in's dtype, shaped as a
// batch of one.
func featureTensor(f *tfpb.Feature, in graph.TensorInfo) (*tensor.Tensor, error) {
	dt := in.DType
	var vals []float64
	switch k := f.GetKind().(type) {
	case *tfpb.Feature_BytesList:
		if dt != tensor.String && dt != tensor.Invalid {
			return nil, fmt.Errorf("a bytes_list cannot feed a %v input", dt)
		}
		strs := make([]string, len(k.BytesList.GetValue()))
		for i, b := range k.BytesList.GetValue() {
			strs[i] = string(b)
		}
		shape, err := batchOfOne(in, len(strs))
		if err != nil {
			return nil, err
		}
		return tensor.FromSlice(shape, strs)
	case *tfpb.Feature_FloatList:
		if !dt.IsFloat() && dt != tensor.Invalid {
			return nil, fmt.Errorf("a float_list cannot feed a %v input", dt)
		}
		for _, v := range k.FloatList.GetValue() {
			vals = append(vals, float64(v))
		}
		if dt == tensor.Invalid {
			dt = tensor.Float32
		}
	case *tfpb.Feature_Int64List:
		if !dt.IsNumeric() && dt != tensor.Invalid || dt.IsComplex() {
			return nil, fmt.Errorf("an int64_list cannot feed a %v input", dt)
		}
		if dt == tensor.Int64 || dt == tensor.Invalid {
			shape, err := batchOfOne(in, len(k.Int64List.GetValue()))
			if err != nil {
				return nil, err
			}
			return tensor.FromSlice(shape, append([]int64(nil), k.Int64List.GetValue()...))
		}
		for _, v := range k.Int64List.GetValue() {
			vals = append(vals, float64(v))
		}
	default:
		return nil, fmt.Errorf("the feature holds no values")
	}
	shape, err := batchOfOne(in, len(vals))
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64s(dt, shape, vals)
}

// batchOfOne returns the shape [1, in's other dimensions] for n values,
// with one unknown dimension inferred from n; a rank-1 or unknown-rank
// input takes [1, n] or [n] as its rank says.
func batchOfOne(in graph.TensorInfo, n int) (tensor.Shape, error) {
	if !in.RankKnown {
		return tensor.Shape{n}, nil
	}
	if len(in.Shape) == 0 {
		if n != 1 {
			return nil, fmt.Errorf("%d values for a scalar input", n)
		}
		return tensor.Shape{}, nil
	}
	shape := tensor.Shape{1}
	known, unknown := 1, -1
	for i, d := range in.Shape[1:] {
		if d < 0 {
			if unknown >= 0 {
				return nil, fmt.Errorf("the input's shape %v has more than one unknown dimension after the batch", in.Shape)
			}
			unknown = i + 1
			shape = append(shape, 0)
			continue
		}
		known *= int(d)
		shape = append(shape, int(d))
	}
	switch {
	case unknown >= 0 && known > 0 && n%known == 0:
		shape[unknown] = n / known
	case unknown < 0 && n == known:
	default:
		return nil, fmt.Errorf("%d values do not fill the input's shape %v", n, in.Shape)
	}
	return shape, nil
}
