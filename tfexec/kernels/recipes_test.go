package kernels_test

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// recipe gives the attributes (besides the type) and inputs that run an
// op on a dtype, for the rows TestKernelsHonourDTypes cannot run on a
// corpus node.
type recipe struct {
	attrs  map[string]any
	inputs func(dt tensor.DType) []*tensor.Tensor
}

func (r recipe) example(d kernel.Def) example {
	in := make([]string, len(r.inputs(tensor.Float32)))
	for i := range in {
		in[i] = "in"
	}
	return example{def: graph.NewNode("n", d.Op, in, r.attrs), inputs: r.inputs}
}

// recipes are keyed by op. The typed inputs of each are two-element
// vectors (or scalars, images, lists) of the dtype asked for.
var recipes = map[string]recipe{
	// array
	"BroadcastArgs":      {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 2, 1), vec(dt, 1)) }},
	"BroadcastTo":        {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1), ints(2)) }},
	"Concat":             {n(2), func(dt tensor.DType) []*tensor.Tensor { return in(scalar(0), vec(dt, 1), vec(dt, 2)) }},
	"ConjugateTranspose": {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), ints(0)) }},
	"OnesLike":           {nil, unary},
	"Pack":               {n(2), func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1), vec(dt, 2)) }},
	"Pad":                {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), matrix(1, 1)) }},
	"RaggedRange":        {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 0), vec(dt, 3), vec(dt, 1)) }},
	"Reverse": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(vec(dt, 1, 2), tensor.MustFromSlice(tensor.Shape{1}, []bool{true}))
	}},
	"Roll":   {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), scalar(1), scalar(0)) }},
	"ShapeN": {n(2), func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1), vec(dt, 2)) }},
	"Size":   {nil, unary},
	"Slice":  {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), ints(1), ints(1)) }},
	"SelectV2": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(tensor.MustFromSlice(tensor.Shape{2}, []bool{true, false}), vec(dt, 1, 2), vec(dt, 3, 4))
	}},

	// plumbing
	"CheckNumerics":          {nil, unary},
	"DebugIdentity":          {nil, unary},
	"EnsureShape":            {nil, unary},
	"PlaceholderWithDefault": {nil, unary},
	"PreventGradient":        {nil, unary},
	"Print":                  {nil, unary},
	"RefIdentity":            {nil, unary},
	"Snapshot":               {nil, unary},

	// gather
	"DynamicPartition": {map[string]any{"num_partitions": 2}, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), ints(0, 1)) }},
	"DynamicStitch":    {n(1), func(dt tensor.DType) []*tensor.Tensor { return in(ints(1, 0), vec(dt, 1, 2)) }},
	"Gather":           {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), ints(1)) }},
	"OneHot": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(ints(0, 1), scalar(2), kerneltest.Values(dt, nil, 1), kerneltest.Values(dt, nil, 0))
	}},
	"ScatterSub":              {nil, func(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2), ints(1), vec(dt, 3)) }},
	"ScatterNdUpdate":         {nil, scatterNd},
	"ScatterNdAdd":            {nil, scatterNd},
	"ScatterNdSub":            {nil, scatterNd},
	"ScatterNdMax":            {nil, scatterNd},
	"ScatterNdMin":            {nil, scatterNd},
	"ScatterNdNonAliasingAdd": {nil, scatterNd},
	"TensorScatterUpdate":     {nil, scatterNd},
	"TensorScatterAdd":        {nil, scatterNd},
	"TensorScatterSub":        {nil, scatterNd},
	"TensorScatterMax":        {nil, scatterNd},
	"TensorScatterMin":        {nil, scatterNd},
	"Unique":                  {nil, unary},
	"UniqueV2": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(vec(dt, 1, 2), tensor.MustFromSlice(tensor.Shape{1}, []int64{0}))
	}},
	"UniqueWithCountsV2": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(vec(dt, 1, 2), tensor.MustFromSlice(tensor.Shape{1}, []int64{0}))
	}},

	// image, nn, random
	"EncodePng": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(kerneltest.Values(dt, tensor.Shape{1, 2, 1}, 1, 2))
	}},
	"DrawBoundingBoxes": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(kerneltest.Values(dt, tensor.Shape{1, 2, 2, 1}, 0, 0, 0, 0), kerneltest.Values(tensor.Float32, tensor.Shape{1, 1, 4}, 0, 0, 1, 1))
	}},
	"AdjustHue":        {nil, rgbAndFactor},
	"AdjustSaturation": {nil, rgbAndFactor},
	"AdjustContrastv2": {nil, rgbAndFactor},
	"RGBToHSV":         {nil, rgbPixel},
	"HSVToRGB":         {nil, rgbPixel},
	"SpaceToDepth": {map[string]any{"block_size": 2}, func(dt tensor.DType) []*tensor.Tensor {
		return in(kerneltest.Values(dt, tensor.Shape{1, 2, 2, 1}, 1, 2, 3, 4))
	}},
	"RandomUniformInt": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(ints(2), kerneltest.Values(dt, nil, 0), kerneltest.Values(dt, nil, 5))
	}},

	// lists: the typed inputs are elements, or lists of them
	"TensorArrayWriteV3": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(tensorArray(dt), scalar(0), vec(dt, 1), tensor.Scalar(float32(0)))
	}},
	"TensorArrayReadV3": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(writtenArray(dt), scalar(0), tensor.Scalar(float32(0)))
	}},
	"EmptyTensorList":   {shapeType, func(tensor.DType) []*tensor.Tensor { return in(ints(1), scalar(2)) }},
	"TensorListReserve": {shapeType, func(tensor.DType) []*tensor.Tensor { return in(ints(1), scalar(2)) }},
	"TensorListFromTensor": {shapeType, func(dt tensor.DType) []*tensor.Tensor {
		return in(kerneltest.Values(dt, tensor.Shape{2, 1}, 1, 2), ints(1))
	}},
	"TensorListGetItem":  {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), scalar(0), ints(1)) }},
	"TensorListSetItem":  {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), scalar(0), vec(dt, 3)) }},
	"TensorListStack":    {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), ints(1)) }},
	"TensorListPushBack": {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), vec(dt, 3)) }},
	"TensorListPopBack":  {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), ints(1)) }},
	"TensorListGather":   {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), ints(1, 0), ints(1)) }},
	"TensorListScatter": {shapeType, func(dt tensor.DType) []*tensor.Tensor {
		return in(kerneltest.Values(dt, tensor.Shape{2, 1}, 1, 2), ints(1, 0), ints(1))
	}},
	"TensorListScatterV2": {shapeType, func(dt tensor.DType) []*tensor.Tensor {
		return in(kerneltest.Values(dt, tensor.Shape{2, 1}, 1, 2), ints(1, 0), ints(1), scalar(2))
	}},
	"TensorListScatterIntoExistingList": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(list(dt), kerneltest.Values(dt, tensor.Shape{2, 1}, 1, 2), ints(1, 0))
	}},
	"TensorListConcat": {map[string]any{"element_shape": graph.ShapeAttr{-1}}, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt)) }},
	"TensorListConcatV2": {shapeType, func(dt tensor.DType) []*tensor.Tensor {
		return in(list(dt), ints(-1), tensor.MustFromSlice(tensor.Shape{0}, []int64{}))
	}},
	"TensorListSplit": {nil, func(dt tensor.DType) []*tensor.Tensor {
		return in(vec(dt, 1, 2), ints(-1), tensor.MustFromSlice(tensor.Shape{2}, []int64{1, 1}))
	}},
	"TensorListConcatLists": {nil, func(dt tensor.DType) []*tensor.Tensor { return in(list(dt), list(dt)) }},
}

func in(ts ...*tensor.Tensor) []*tensor.Tensor { return ts }

// rgbPixel is one RGB pixel of dt; rgbAndFactor adds a float32 scalar,
// the colour adjustments' factor.
func rgbPixel(dt tensor.DType) []*tensor.Tensor {
	return in(kerneltest.Values(dt, tensor.Shape{1, 1, 3}, 0.25, 0.5, 1))
}

func rgbAndFactor(dt tensor.DType) []*tensor.Tensor {
	return append(rgbPixel(dt), kerneltest.Values(tensor.Float32, nil, 0.5))
}

// n gives the N attribute of ops with a list of inputs.
func n(count int) map[string]any { return map[string]any{"N": count} }

// shapeType is the shape_type attribute of the list ops that take a shape.
var shapeType = map[string]any{"shape_type": tensor.Int32}

func unary(dt tensor.DType) []*tensor.Tensor { return in(vec(dt, 1, 2)) }

// scatterNd is (ref or tensor, indices, updates): element 1 of a vector
// combined with 3.
func scatterNd(dt tensor.DType) []*tensor.Tensor {
	return in(vec(dt, 1, 2), tensor.MustFromSlice(tensor.Shape{1, 1}, []int32{1}), vec(dt, 3))
}

// matrix builds an int32 [1, 2] matrix.
func matrix(a, b int32) *tensor.Tensor {
	return tensor.MustFromSlice(tensor.Shape{1, 2}, []int32{a, b})
}

// list is a TensorList of two [1] elements of dtype dt.
func list(dt tensor.DType) *tensor.Tensor {
	return call("TensorListFromTensor", map[string]any{"element_dtype": dt, "shape_type": tensor.Int32},
		kerneltest.Values(dt, tensor.Shape{2, 1}, 1, 2), ints(1))
}

// tensorArray is the handle of a TensorArray of two elements of dtype dt,
// and writtenArray one whose element 0 is written.
func tensorArray(dt tensor.DType) *tensor.Tensor {
	return call("TensorArrayV3", map[string]any{"dtype": dt}, scalar(2))
}

func writtenArray(dt tensor.DType) *tensor.Tensor {
	h := tensorArray(dt)
	call("TensorArrayWriteV3", map[string]any{"T": dt}, h, scalar(0), vec(dt, 1), tensor.Scalar(float32(0)))
	return h
}

// call runs op for a recipe's input, panicking on error (the test turns
// the panic into a failure).
func call(op string, attrs map[string]any, inputs ...*tensor.Tensor) *tensor.Tensor {
	out, err := kerneltest.Call(graph.NewNode("n", op, nil, attrs), inputs...)
	if err != nil {
		panic(err)
	}
	return out[0]
}

// vec builds a vector of dtype dt.
func vec(dt tensor.DType, vals ...float64) *tensor.Tensor {
	return kerneltest.Values(dt, tensor.Shape{len(vals)}, vals...)
}

// ints builds an int32 vector, and scalar an int32 scalar.
func ints(vals ...int32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(vals)}, vals) }
func scalar(v int32) *tensor.Tensor     { return tensor.Scalar(v) }

// TensorFlow 1's TensorArray and TensorArrayV2 ops take the V3 ops'
// inputs (their handles are the same value here).
func init() {
	flow := tensor.Scalar(float32(0))
	for _, v := range []string{"", "V2"} {
		recipes["TensorArray"+v] = recipe{nil, func(tensor.DType) []*tensor.Tensor { return in(scalar(2)) }}
		recipes["TensorArrayWrite"+v] = recipes["TensorArrayWriteV3"]
		recipes["TensorArrayRead"+v] = recipes["TensorArrayReadV3"]
		recipes["TensorArrayGather"+v] = recipe{nil, func(dt tensor.DType) []*tensor.Tensor {
			return in(writtenArray(dt), ints(0), flow)
		}}
		recipes["TensorArrayScatter"+v] = recipe{nil, func(dt tensor.DType) []*tensor.Tensor {
			return in(tensorArray(dt), ints(0, 1), kerneltest.Values(dt, tensor.Shape{2, 1}, 1, 2), flow)
		}}
		recipes["TensorArrayConcat"+v] = recipe{nil, func(dt tensor.DType) []*tensor.Tensor {
			h := writtenArray(dt)
			call("TensorArrayWriteV3", map[string]any{"T": dt}, h, scalar(1), vec(dt, 2), flow)
			return in(h, flow)
		}}
		recipes["TensorArraySplit"+v] = recipe{nil, func(dt tensor.DType) []*tensor.Tensor {
			return in(tensorArray(dt), vec(dt, 1, 2), tensor.MustFromSlice(tensor.Shape{2}, []int64{1, 1}), flow)
		}}
	}
}
