package tfexec_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// requiredOps are the ops the executor must run: plumbing, control flow,
// nn, the converter-fused ops, math, reductions, shape and data movement.
const requiredOps = `
Placeholder PlaceholderWithDefault Const Identity IdentityN NoOp StopGradient Snapshot
Switch Merge Enter Exit NextIteration LoopCond
Conv2D DepthwiseConv2dNative Conv2DBackpropInput AvgPool MaxPool MaxPoolV2 BiasAdd
FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 LRN Softmax LogSoftmax Relu Relu6 LeakyRelu
Elu Selu Softplus Softsign Sigmoid Tanh SpaceToBatchND BatchToSpaceND DepthToSpace SpaceToDepth
_FusedConv2D FusedDepthwiseConv2dNative _FusedDepthwiseConv2dNative _FusedMatMul _FusedBatchNormEx
MatMul BatchMatMul BatchMatMulV2 BatchMatMulV3
Add AddV2 AddN Sub Mul RealDiv Div DivNoNan FloorDiv FloorMod Mod Maximum Minimum Pow
SquaredDifference Square Sqrt Rsqrt Reciprocal Exp Expm1 Log Log1p Neg Abs Sign Floor Ceil
Round Rint Erf Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh Atan2 IsFinite IsNan IsInf
Equal NotEqual Less LessEqual Greater GreaterEqual LogicalAnd LogicalOr LogicalNot
Select SelectV2 Cast Bitcast ClipByValue Cumsum Cumprod
Sum Mean Max Min Prod All Any ArgMax ArgMin
Shape ShapeN Size Rank Reshape Squeeze ExpandDims Transpose ConcatV2 Pack Unpack Split SplitV
Slice StridedSlice Pad PadV2 MirrorPad Tile Fill Range LinSpace ZerosLike OnesLike GatherV2
GatherNd ScatterNd ReverseV2 BroadcastTo OneHot TopKV2 Where ResizeBilinear ResizeNearestNeighbor
DecodeWav AudioSpectrogram Mfcc ParseExample ParseExampleV2 ParseSingleExample`

func TestRequiredOpsHaveKernels(t *testing.T) {
	e, err := tfexec.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, op := range strings.Fields(requiredOps) {
		if !e.Supported(op) {
			missing = append(missing, op)
		}
	}
	assert.Empty(t, missing)
	assert.Greater(t, len(kernel.Ops()), 250, "registered kernels")
	assert.True(t, slices.IsSorted(kernel.Ops()))
}
