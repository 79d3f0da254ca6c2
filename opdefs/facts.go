package opdefs

import (
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Facts are what tfoffload knows about one op type beyond its signature.
// Input indices count data inputs; negative ones count from the end (-1 is
// the last input, as ConcatV2's axis).
type Facts struct {
	// Trivial ops do no computation worth offloading; they do not count
	// towards a cluster's size.
	Trivial bool
	// ShapeOnly ops compute from their inputs' shapes, not their values.
	ShapeOnly bool
	// DataShape ops have outputs whose shape depends on their input data.
	DataShape bool
	// ShapeInputs are the inputs whose values fix the outputs' shapes.
	ShapeInputs []int
	// Static are the inputs whose values the ONNX translation compiles
	// into the model.
	Static []int
	// StaticIfInteger are further static inputs when the node's "T" is an
	// integer type.
	StaticIfInteger []int
	// Refused says why tfoffload deliberately has no kernel for the op;
	// the executor's "no kernel" error repeats it.
	Refused string
}

// refusedTFDF is why TensorFlow Decision Forests' ops have no kernel.
const refusedTFDF = "TensorFlow Decision Forests models run in Yggdrasil Decision Forests' C++ inference engine, " +
	"which the op calls on a model directory it loads itself; tfoffload has no such engine"

// table holds a row for each op with at least one fact.
var table = map[string]Facts{
	// Ops tfoffload refuses to run, and why.
	"SimpleMLCreateModelResource": {Refused: refusedTFDF}, "SimpleMLInferenceOpWithHandle": {Refused: refusedTFDF},
	"SimpleMLLoadModelFromPathWithHandle": {Refused: refusedTFDF},

	// Trivial ops.
	"Const": {Trivial: true}, "Identity": {Trivial: true}, "IdentityN": {Trivial: true},
	"NoOp": {Trivial: true}, "StopGradient": {Trivial: true}, "Snapshot": {Trivial: true},
	"PreventGradient": {Trivial: true}, "Placeholder": {Trivial: true},
	"PlaceholderWithDefault": {Trivial: true},

	// Values from shapes alone.
	"Shape": {ShapeOnly: true}, "ShapeN": {ShapeOnly: true}, "Size": {ShapeOnly: true}, "Rank": {ShapeOnly: true},

	// Shapes from data.
	"Where": {DataShape: true}, "Unique": {DataShape: true}, "UniqueV2": {DataShape: true},
	"UniqueWithCounts": {DataShape: true}, "UniqueWithCountsV2": {DataShape: true},
	"DynamicPartition": {DataShape: true},
	"ListDiff":         {DataShape: true},
	"SegmentSum":       {DataShape: true}, "SegmentMean": {DataShape: true}, "SegmentMax": {DataShape: true},
	"SegmentMin": {DataShape: true}, "SegmentProd": {DataShape: true},
	// Without pad_to_max_output_size, as many boxes as survive.
	"NonMaxSuppression": {DataShape: true}, "NonMaxSuppressionV2": {DataShape: true},
	"NonMaxSuppressionV3": {DataShape: true}, "NonMaxSuppressionV4": {DataShape: true},
	"NonMaxSuppressionV5": {DataShape: true}, "NonMaxSuppressionWithOverlaps": {DataShape: true},
	// Sparse and ragged features have as many values as the Examples hold.
	"ParseExample": {DataShape: true}, "ParseExampleV2": {DataShape: true},
	"ParseSingleExample": {DataShape: true},
	// Decoded images are as large as their files say.
	"DecodeJpeg": {DataShape: true}, "DecodeAndCropJpeg": {DataShape: true}, "DecodePng": {DataShape: true},
	"DecodeGif": {DataShape: true}, "DecodeBmp": {DataShape: true}, "DecodeImage": {DataShape: true},
	// A table's contents.
	"LookupTableExport": {DataShape: true}, "LookupTableExportV2": {DataShape: true},
	// Sparse tensors: rows filled in, segments counted from their ids.
	"SparseFillEmptyRows": {DataShape: true},
	"SparseSegmentSum":    {DataShape: true}, "SparseSegmentMean": {DataShape: true}, "SparseSegmentSqrtN": {DataShape: true},
	"SparseSegmentSumWithNumSegments": {ShapeInputs: []int{3}}, "SparseSegmentMeanWithNumSegments": {ShapeInputs: []int{3}},
	"SparseSegmentSqrtNWithNumSegments": {ShapeInputs: []int{3}},
	// Sparse entries kept or merged by their coordinates.
	"SparseSlice": {DataShape: true}, "SparseAdd": {DataShape: true}, "SparseConcat": {DataShape: true},
	// Ragged rows picked by index hold as many values as those rows.
	"RaggedGather": {DataShape: true}, "RaggedTensorToSparse": {DataShape: true},
	// As many tokens and n-grams as the strings hold.
	"StringSplit": {DataShape: true}, "StringSplitV2": {DataShape: true}, "StringNGrams": {DataShape: true},

	// Shapes from values. The translations that cannot take such an input
	// at run time compile it in (Static).
	"Reshape":        {ShapeInputs: []int{1}},
	"ExpandDims":     {ShapeInputs: []int{1}},
	"Fill":           {ShapeInputs: []int{0}},
	"SparseToDense":  {ShapeInputs: []int{1}},
	"SparseReshape":  {ShapeInputs: []int{2}},
	"Tile":           {ShapeInputs: []int{1}},
	"MatrixBandPart": {Static: []int{1, 2}},
	"Bincount":       {ShapeInputs: []int{1}},
	// The per-class and total limits size CombinedNonMaxSuppression's
	// padded outputs.
	"CombinedNonMaxSuppression": {ShapeInputs: []int{2, 3}}, "DenseBincount": {ShapeInputs: []int{1}},
	// The diagonal range, and the matrix size, of the MatrixDiag family.
	"MatrixDiagV2": {ShapeInputs: []int{1, 2, 3}}, "MatrixDiagV3": {ShapeInputs: []int{1, 2, 3}},
	"MatrixDiagPartV2": {ShapeInputs: []int{1}}, "MatrixDiagPartV3": {ShapeInputs: []int{1}},
	"BroadcastTo": {ShapeInputs: []int{1}},
	"Slice":       {ShapeInputs: []int{1, 2}},
	// Masks decide which of begin, end and strides count, so all three
	// are resolved when translating.
	"StridedSlice":            {ShapeInputs: []int{1, 2, 3}, Static: []int{1, 2, 3}},
	"Pad":                     {ShapeInputs: []int{1}},
	"PadV2":                   {ShapeInputs: []int{1}},
	"MirrorPad":               {ShapeInputs: []int{1}, Static: []int{1}},
	"Range":                   {ShapeInputs: []int{0, 1, 2}},
	"OneHot":                  {ShapeInputs: []int{1}},
	"LinSpace":                {ShapeInputs: []int{2}},
	"BroadcastArgs":           {ShapeInputs: []int{0, 1}},
	"ReduceJoin":              {ShapeInputs: []int{1}},
	"SparseTensorDenseMatMul": {ShapeInputs: []int{2}},
	// The requested shape and the row partitions size the dense result.
	"RaggedTensorToTensor": {ShapeInputs: []int{0}, DataShape: true},
	"TensorArray":          {ShapeInputs: []int{0}}, "TensorArrayV2": {ShapeInputs: []int{0}},
	"RFFT": {ShapeInputs: []int{1}}, "IRFFT": {ShapeInputs: []int{1}},
	"RandomUniform": {ShapeInputs: []int{0}}, "RandomStandardNormal": {ShapeInputs: []int{0}},
	"RandomUniformInt": {ShapeInputs: []int{0}}, "TruncatedNormal": {ShapeInputs: []int{0}},
	"Multinomial":        {ShapeInputs: []int{1}},
	"UnsortedSegmentSum": {ShapeInputs: []int{2}}, "UnsortedSegmentMax": {ShapeInputs: []int{2}},
	"UnsortedSegmentMin": {ShapeInputs: []int{2}}, "UnsortedSegmentProd": {ShapeInputs: []int{2}},
	"CropAndResize":              {ShapeInputs: []int{3}},
	"ExtractGlimpse":             {ShapeInputs: []int{1}},
	"ExtractGlimpseV2":           {ShapeInputs: []int{1}},
	"ResizeArea":                 {ShapeInputs: []int{1}},
	"ImageProjectiveTransformV2": {ShapeInputs: []int{2}}, "ImageProjectiveTransformV3": {ShapeInputs: []int{2}},
	"ResizeBicubic": {ShapeInputs: []int{1}},
	// The output size fixes the output shape, and ONNX Resize wants every
	// dimension of it.
	"ResizeBilinear":        {ShapeInputs: []int{1}, Static: []int{1}},
	"ResizeNearestNeighbor": {ShapeInputs: []int{1}, Static: []int{1}},
	// Axes are mapped through the input's layout when translating.
	"ConcatV2":  {ShapeInputs: []int{-1}, Static: []int{-1}},
	"Concat":    {ShapeInputs: []int{0}, Static: []int{0}},
	"Split":     {ShapeInputs: []int{0}, Static: []int{0}},
	"SplitV":    {ShapeInputs: []int{1, 2}, Static: []int{2}},
	"GatherV2":  {ShapeInputs: []int{2}, Static: []int{2}},
	"ReverseV2": {Static: []int{1}},
	// Reduction indices decide the output's layout.
	"Sum": {ShapeInputs: []int{1}, Static: []int{1}}, "Mean": {ShapeInputs: []int{1}, Static: []int{1}},
	"Max": {ShapeInputs: []int{1}, Static: []int{1}}, "Min": {ShapeInputs: []int{1}, Static: []int{1}},
	"Prod": {ShapeInputs: []int{1}, Static: []int{1}}, "All": {ShapeInputs: []int{1}, Static: []int{1}},
	"EuclideanNorm": {ShapeInputs: []int{1}},
	"Any":           {ShapeInputs: []int{1}, Static: []int{1}},
	"ArgMax":        {ShapeInputs: []int{1}, Static: []int{1}}, "ArgMin": {ShapeInputs: []int{1}, Static: []int{1}},
	// ONNX TopK takes k as a tensor: it stays a run-time input.
	"TopKV2":             {ShapeInputs: []int{1}},
	"Transpose":          {ShapeInputs: []int{1}, Static: []int{1}},
	"ConjugateTranspose": {ShapeInputs: []int{1}, Static: []int{1}},
	// input_sizes fixes the output shape and the padding.
	"Conv2DBackpropInput": {ShapeInputs: []int{0}, Static: []int{0}},
	"SpaceToBatchND":      {ShapeInputs: []int{1, 2}, Static: []int{1, 2}},
	"BatchToSpaceND":      {ShapeInputs: []int{1, 2}, Static: []int{1, 2}},
	// ONNX wants the window and strides as attributes.
	"MaxPoolV2": {ShapeInputs: []int{1, 2}, Static: []int{1, 2}},
	"ScatterNd": {ShapeInputs: []int{2}, Static: []int{2}},

	// ONNX Runtime's integer division faults on 0 and -1 divisors, so an
	// integer divisor must be known and checked when translating.
	"Div": {StaticIfInteger: []int{1}}, "FloorDiv": {StaticIfInteger: []int{1}},
	"FloorMod":    {StaticIfInteger: []int{1}},
	"TruncateDiv": {Static: []int{1}}, "Mod": {Static: []int{1}}, "TruncateMod": {Static: []int{1}},
}

// Lookup returns the facts of op; ops without a row have none.
func Lookup(op string) Facts { return table[op] }

// FactOps returns the ops with at least one fact, sorted.
func FactOps() []string {
	ops := make([]string, 0, len(table))
	for op := range table {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// IsTrivial reports whether op does no computation worth offloading.
func IsTrivial(op string) bool { return table[op].Trivial }

// RefusedReason returns why tfoffload deliberately runs no op of this
// type, or "" when it does not refuse it.
func RefusedReason(op string) string { return table[op].Refused }

// StaticInputs returns the indices of n's data inputs that the ONNX
// translation needs as constants, in increasing order.
func StaticInputs(n *tfpb.NodeDef) []int {
	f := table[n.GetOp()]
	static := f.Static
	if len(f.StaticIfInteger) > 0 {
		if dt, _ := graph.AttrsOf(n).Type("T", tensor.Invalid); dt.IsInteger() {
			static = append(slices.Clone(static), f.StaticIfInteger...)
		}
	}
	return resolve(static, numDataInputs(n))
}

// ShapeInputIndices returns the indices of n's data inputs whose values
// fix its output shapes, in increasing order.
func ShapeInputIndices(n *tfpb.NodeDef) []int {
	return resolve(table[n.GetOp()].ShapeInputs, numDataInputs(n))
}

// resolve turns possibly negative indices into indices below numData,
// sorted and without duplicates; out-of-range ones are dropped.
func resolve(idx []int, numData int) []int {
	var out []int
	for _, i := range idx {
		if i < 0 {
			i += numData
		}
		if i >= 0 && i < numData {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func numDataInputs(n *tfpb.NodeDef) int {
	k := 0
	for _, in := range n.GetInput() {
		if !strings.HasPrefix(in, "^") {
			k++
		}
	}
	return k
}
