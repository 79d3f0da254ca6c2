package elementwise

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. The dtypes of the math rows are
// those their loop tables have loops for (unaryMath, binaryMath and the
// other *Def constructors return both); the others are listed here and
// checked against the kernels by the package's tests.
var kernels = []kernel.Def{
	// One input, the output of its shape.
	unaryMath("Abs"), unaryMath("Neg"), unaryMath("Square"), unaryMath("Sqrt"),
	unaryMath("Rsqrt"), unaryMath("Reciprocal"), unaryMath("Inv"), unaryMath("Exp"),
	unaryMath("Expm1"), unaryMath("Log"), unaryMath("Log1p"), unaryMath("Sign"),
	unaryMath("Floor"), unaryMath("Ceil"), unaryMath("Round"), unaryMath("Rint"),
	unaryMath("Erf"), unaryMath("Erfc"), unaryMath("Erfinv"), unaryMath("Ndtri"),
	unaryMath("Lgamma"), unaryMath("Sin"), unaryMath("Cos"), unaryMath("Tan"),
	unaryMath("Asin"), unaryMath("Acos"), unaryMath("Atan"), unaryMath("Sinh"),
	unaryMath("Cosh"), unaryMath("Tanh"), unaryMath("Asinh"), unaryMath("Acosh"),
	unaryMath("Atanh"), unaryMath("Conj"),
	unaryMath("IsFinite"), unaryMath("IsNan"), unaryMath("IsInf"),
	unaryMath("LogicalNot"), unaryMath("Invert"),

	// Activations.
	unaryMath("Relu"), unaryMath("Relu6"), unaryMath("Elu"), unaryMath("Selu"),
	unaryMath("Softplus"), unaryMath("Softsign"), unaryMath("Sigmoid"),
	{Op: "LeakyRelu", DTypes: tableDTypes(leakyReluTable(0)), New: newLeakyRelu},
	binaryMath("Prelu"), // TensorFlow.js's PReLU, alpha broadcast against x

	// Two inputs, broadcasting.
	binaryMath("Add"), binaryMath("AddV2"), binaryMath("Sub"), binaryMath("Mul"),
	binaryMath("MulNoNan"), binaryMath("RealDiv"), binaryMath("Div"), binaryMath("DivNoNan"),
	binaryMath("FloorDiv"), binaryMath("FloorMod"), binaryMath("Mod"),
	binaryMath("TruncateDiv"), binaryMath("TruncateMod"),
	binaryMath("Maximum"), binaryMath("Minimum"), binaryMath("Pow"),
	binaryMath("SquaredDifference"), binaryMath("Atan2"),
	binaryMath("Xdivy"), binaryMath("Xlogy"), binaryMath("Xlog1py"),
	binaryMath("BitwiseAnd"), binaryMath("BitwiseOr"), binaryMath("BitwiseXor"),
	binaryMath("LeftShift"), binaryMath("RightShift"),

	// Comparisons and logic: two inputs, broadcasting, a bool output.
	binaryMath("Equal"), binaryMath("NotEqual"), binaryMath("Less"),
	binaryMath("LessEqual"), binaryMath("Greater"), binaryMath("GreaterEqual"),
	binaryMath("LogicalAnd"), binaryMath("LogicalOr"),

	// Complex numbers and their parts.
	complexDef(), complexAbsDef(),
	complexPartDef("Real"), complexPartDef("Imag"), complexPartDef("Angle"),

	// The rest: a dtype switch in each kernel.
	{Op: "AddN", DTypes: kernel.NumberTypes(), New: newAddN},
	// AccumulateNV2 is AddN whose inputs may arrive at different times;
	// an executor that waits for all of them runs it as AddN.
	{Op: "AccumulateNV2", DTypes: kernel.NumberTypes(), New: newAddN},
	{Op: "Bucketize", DTypes: bucketizeTypes, New: newBucketize},
	{Op: "ClipByValue", DTypes: kernel.NumberTypes(), New: newClipByValue},
	{Op: "Select", DTypes: selectTypes(), New: kernel.Stateless(selectV1)},
	{Op: "SelectV2", DTypes: selectTypes(), New: kernel.Stateless(selectV2)},
	{Op: "Cast", DTypes: kernel.FixedSizeTypes(), TypeAttr: "SrcT", New: newCast},
	{Op: "Bitcast", DTypes: kernel.NumberTypes(), New: newBitcast},
}

// selectTypes are the branch dtypes of Select and SelectV2: every one but
// resources and variants.
func selectTypes() []tensor.DType { return append(kernel.FixedSizeTypes(), tensor.String) }
