package conv

import (
	"fmt"
	"runtime"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// mmVariant is one of the matrix-product ops.
type mmVariant int

const (
	mmLegacy mmVariant = iota // MatMul: rank 2, transpose_a/transpose_b
	mmV1                      // BatchMatMul: equal batch dimensions
	mmV2                      // BatchMatMulV2: broadcast batch dimensions
	mmV3                      // BatchMatMulV3: V2 with Ta, Tb and Tout
)

// matmulTypes are the dtypes TensorFlow registers MatMul, BatchMatMul and
// BatchMatMulV2 for on the CPU (Ta = Tb = Tout).
var matmulTypes = []tensor.DType{
	tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16,
	tensor.Int16, tensor.Int32, tensor.Int64, tensor.Complex64, tensor.Complex128,
}

// matmul is a prepared matrix-product node.
type matmul struct {
	variant    mmVariant
	ta, tb     bool // transpose (or adjoint) the operands
	conjA      bool // adjoint of a complex first operand
	conjB      bool
	tout       tensor.DType // BatchMatMulV3 only
	ta3, tb3   tensor.DType
	fused      *fusion
	fusedTypes []tensor.DType
}

func newMatMul(v mmVariant) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		mm := &matmul{variant: v}
		var err error
		if v == mmLegacy {
			if mm.ta, err = n.Attrs.Bool("transpose_a", false); err != nil {
				return nil, err
			}
			if mm.tb, err = n.Attrs.Bool("transpose_b", false); err != nil {
				return nil, err
			}
		} else {
			if mm.ta, err = n.Attrs.Bool("adj_x", false); err != nil {
				return nil, err
			}
			if mm.tb, err = n.Attrs.Bool("adj_y", false); err != nil {
				return nil, err
			}
			mm.conjA, mm.conjB = mm.ta, mm.tb
		}
		if v == mmV3 {
			if mm.ta3, err = n.Attrs.Type("Ta", tensor.Invalid); err != nil {
				return nil, err
			}
			if mm.tb3, err = n.Attrs.Type("Tb", tensor.Invalid); err != nil {
				return nil, err
			}
			if mm.tout, err = n.Attrs.Type("Tout", tensor.Invalid); err != nil {
				return nil, err
			}
			if mm.ta3 != tensor.Invalid && mm.tb3 != tensor.Invalid && mm.tout != tensor.Invalid {
				if err := checkV3Types(mm.ta3, mm.tb3, mm.tout); err != nil {
					return nil, err
				}
			}
		} else if _, err := dtypeOf(n, "T", matmulTypes...); err != nil {
			return nil, err
		}
		return mm.run, nil
	}
}

// checkV3Types accepts the (Ta, Tb, Tout) combinations TensorFlow
// registers BatchMatMulV3 for on the CPU.
func checkV3Types(a, b, out tensor.DType) error {
	isInt8 := func(d tensor.DType) bool { return d == tensor.Int8 || d == tensor.Uint8 }
	switch {
	case a == b && a == out && allowedDType(a, matmulTypes) == nil:
		return nil
	case isInt8(a) && isInt8(b) && out == tensor.Int32:
		return nil
	case out == tensor.BFloat16 && (a == tensor.BFloat16 && isInt8(b) || isInt8(a) && b == tensor.BFloat16):
		return nil
	}
	return kernel.Unsupported("BatchMatMulV3 with Ta=%v, Tb=%v, Tout=%v", a, b, out)
}

// mmShape is the validated shape of a (batched) product.
type mmShape struct {
	out        tensor.Shape
	batch      int
	xIdx, yIdx []int // batch index of each operand for each output batch
	m, n, k    int
}

// shapes validates the operand shapes as TensorFlow's BatchMatMul kernels
// do and computes the output shape and batch broadcasting. dt is the
// operands' dtype, for the memory check of the output.
func (mm *matmul) shapes(xs, ys tensor.Shape, dt tensor.DType) (mmShape, error) {
	var s mmShape
	switch mm.variant {
	case mmLegacy, mmV1:
		if len(xs) != len(ys) {
			return s, fmt.Errorf("In[0] and In[1] has different ndims: %v vs. %v", xs, ys)
		}
		if mm.variant == mmLegacy && len(xs) != 2 {
			return s, fmt.Errorf("In[0] and In[1] ndims must be == 2: %d", len(xs))
		}
		if len(xs) < 2 {
			return s, fmt.Errorf("In[0] and In[1] ndims must be >= 2: %d", len(xs))
		}
		for i := 0; i < len(xs)-2; i++ {
			if xs[i] != ys[i] {
				return s, fmt.Errorf("In[0].dim(%d) and In[1].dim(%d) must be the same: %v vs %v", i, i, xs, ys)
			}
		}
	default:
		if len(xs) < 2 {
			return s, fmt.Errorf("In[0] ndims must be >= 2: %d", len(xs))
		}
		if len(ys) < 2 {
			return s, fmt.Errorf("In[1] ndims must be >= 2: %d", len(ys))
		}
	}
	xb, yb := xs[:len(xs)-2], ys[:len(ys)-2]
	ob, err := tensor.BroadcastShapes(xb, yb)
	if err != nil {
		return s, fmt.Errorf("In[0] and In[1] must have compatible batch dimensions: %v vs. %v", xs, ys)
	}
	d0, d1 := xs[len(xs)-2], xs[len(xs)-1]
	d2, d3 := ys[len(ys)-2], ys[len(ys)-1]
	if mm.ta {
		d0, d1 = d1, d0
	}
	if mm.tb {
		d2, d3 = d3, d2
	}
	if d1 != d2 {
		return s, fmt.Errorf("Matrix size-incompatible: In[0]: %v, In[1]: %v", xs, ys)
	}
	s.out = append(ob.Clone(), d0, d3)
	// A small contraction dimension or broadcast batches make the output
	// (computed in at least 32 bits) far larger than the operands.
	if dt.Size() < 4 {
		dt = tensor.Float32
	}
	if err := tensor.CheckAlloc(dt, s.out); err != nil {
		return s, err
	}
	if err := tensor.CheckAlloc(tensor.Int64, append(tensor.Shape{2}, ob...)); err != nil {
		return s, err
	}
	s.batch = ob.NumElements()
	s.m, s.n, s.k = d0, d3, d1
	s.xIdx = batchIndex(xb, ob)
	s.yIdx = batchIndex(yb, ob)
	return s, nil
}

// batchIndex maps every output batch to the operand's batch under
// broadcasting.
func batchIndex(in, out tensor.Shape) []int {
	if in.Equal(out) || len(out) == 0 {
		idx := make([]int, out.NumElements())
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return kernel.BroadcastIndex(in, out)
}

func (mm *matmul) run(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x, y := in[0], in[1]
	s, err := mm.shapes(x.Shape(), y.Shape(), x.DType())
	if err != nil {
		return nil, err
	}
	out, err := mm.compute(x, y, s)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

func (mm *matmul) compute(x, y *tensor.Tensor, s mmShape) (*tensor.Tensor, error) {
	if mm.variant == mmV3 {
		return mm.computeV3(x, y, s)
	}
	dt, err := operandDType(matmulTypes, x, y)
	if err != nil {
		return nil, err
	}
	switch dt {
	case tensor.Float32, tensor.Float16, tensor.BFloat16:
		return floatMatMul[float32](mm, x, y, s, dt, nil)
	case tensor.Float64:
		return floatMatMul[float64](mm, x, y, s, dt, nil)
	case tensor.Int16:
		return exactMatMul(mm, tensor.Values[int16](x), tensor.Values[int16](y), s)
	case tensor.Int32:
		return exactMatMul(mm, tensor.Values[int32](x), tensor.Values[int32](y), s)
	case tensor.Int64:
		return exactMatMul(mm, tensor.Values[int64](x), tensor.Values[int64](y), s)
	case tensor.Complex64:
		xs, ys := tensor.Values[complex64](x), tensor.Values[complex64](y)
		return exactMatMul(mm, conjIf(mm.conjA, xs), conjIf(mm.conjB, ys), s)
	case tensor.Complex128:
		xs, ys := tensor.Values[complex128](x), tensor.Values[complex128](y)
		return exactMatMul(mm, conjIf(mm.conjA, xs), conjIf(mm.conjB, ys), s)
	}
	return nil, kernel.Unsupported("dtype %v", dt)
}

// computeV3 handles BatchMatMulV3's mixed input types by casting, as
// TensorFlow does: 8-bit integers multiply exactly in int32, and a
// bfloat16 product with an 8-bit operand is computed in float32 and
// rounded to bfloat16 once.
func (mm *matmul) computeV3(x, y *tensor.Tensor, s mmShape) (*tensor.Tensor, error) {
	a, b, out := x.DType(), y.DType(), mm.tout
	if out == tensor.Invalid {
		out = a
	}
	if (mm.ta3 != tensor.Invalid && a != mm.ta3) || (mm.tb3 != tensor.Invalid && b != mm.tb3) {
		return nil, fmt.Errorf("input dtypes %v and %v do not match Ta=%v, Tb=%v", a, b, mm.ta3, mm.tb3)
	}
	if err := checkV3Types(a, b, out); err != nil {
		return nil, err
	}
	if a == b && a == out {
		same := *mm
		same.variant = mmV2
		return same.compute(x, y, s)
	}
	if out == tensor.Int32 {
		return exactMatMul(mm, toInt32(x), toInt32(y), s)
	}
	xf, err := toFloat32(x)
	if err != nil {
		return nil, err
	}
	yf, err := toFloat32(y)
	if err != nil {
		return nil, err
	}
	return floatMatMul[float32](mm, xf, yf, s, out, nil)
}

func toInt32(t *tensor.Tensor) []int32 {
	out := make([]int32, t.NumElements())
	switch v := t.Data().(type) {
	case []int8:
		for i, x := range v {
			out[i] = int32(x)
		}
	case []uint8:
		for i, x := range v {
			out[i] = int32(x)
		}
	}
	return out
}

func toFloat32(t *tensor.Tensor) (*tensor.Tensor, error) {
	switch v := t.Data().(type) {
	case []int8:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return tensor.FromSlice(t.Shape(), out)
	case []uint8:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return tensor.FromSlice(t.Shape(), out)
	}
	return t, nil
}

// floatMatMul multiplies float operands (half and bfloat16 staged to
// float32) with the blocked GEMM, writing a tensor of dtype dt. epi, if
// set, is the fusion of a _FusedMatMul (batch 1 only).
func floatMatMul[T float](mm *matmul, x, y *tensor.Tensor, s mmShape, dt tensor.DType, f *fusionArgs) (*tensor.Tensor, error) {
	xs, err := floats[T](x)
	if err != nil {
		return nil, err
	}
	ys, err := floats[T](y)
	if err != nil {
		return nil, err
	}
	out := make([]T, s.out.NumElements())
	if len(out) == 0 {
		return fromFloats(dt, s.out, out)
	}
	var epi epilogueFunc
	if f != nil {
		e, err := newEpilogue(f.fusion, f.args, outLayout{shape: s.out}, out)
		if err != nil {
			return nil, err
		}
		epi = e.apply
	}
	batchedGemm(gemmKernelFor[T](), xs, ys, out, s, mm.ta, mm.tb, epi)
	return fromFloats(dt, s.out, out)
}

// fusionArgs is a parsed fusion with its side inputs.
type fusionArgs struct {
	fusion *fusion
	args   []*tensor.Tensor
}

// batchedGemm computes every product of a batch. Large products run one
// after another, each split over the cores; many small ones run in
// parallel, each on one core.
func batchedGemm[T float](kn *gemmKernel[T], xs, ys, out []T, s mmShape, ta, tb bool, epi epilogueFunc) {
	m, n, k := s.m, s.n, s.k
	op := func(b int) *gemmOp[T] {
		lda, ldb := k, n
		if ta {
			lda = m
		}
		if tb {
			ldb = k
		}
		return &gemmOp[T]{
			kern: kn, m: m, n: n, k: k,
			a: rowMajor(xs, s.xIdx[b]*m*k, lda, ta),
			b: rowMajor(ys, s.yIdx[b]*k*n, ldb, tb),
			c: out[b*m*n : (b+1)*m*n], ldc: n,
			epi: epi,
		}
	}
	if s.batch > 1 && m*n*k < 1<<20 && runtime.GOMAXPROCS(0) > 1 {
		kernel.ParallelFor(s.batch, 2*m*n*k, func(lo, hi int) {
			bufs := new(gemmBufs[T])
			for b := lo; b < hi; b++ {
				op(b).serial(bufs, 0, m, 0, n)
			}
		})
		return
	}
	for b := 0; b < s.batch; b++ {
		op(b).run()
	}
}

// numeric is an element type of the exact (non-GEMM) product.
type numeric interface {
	integer | complex64 | complex128
}

func conjIf[T complex64 | complex128](on bool, v []T) []T {
	if !on {
		return v
	}
	out := make([]T, len(v))
	for i, x := range v {
		switch c := any(x).(type) {
		case complex64:
			out[i] = T(complex(real(c), -imag(c)))
		case complex128:
			out[i] = T(complex(real(c), -imag(c)))
		}
	}
	return out
}

// exactMatMul is the straightforward product for integer (wrapping, as
// TensorFlow's Eigen kernels do) and complex types.
func exactMatMul[T numeric](mm *matmul, xs, ys []T, s mmShape) (*tensor.Tensor, error) {
	m, n, k := s.m, s.n, s.k
	out := make([]T, s.out.NumElements())
	if len(out) == 0 || k == 0 {
		return tensor.FromSlice(s.out, out)
	}
	kernel.ParallelFor(s.batch*m, 2*n*k, func(lo, hi int) {
		for bi := lo; bi < hi; bi++ {
			b, i := bi/m, bi%m
			a := xs[s.xIdx[b]*m*k:][:m*k]
			bm := ys[s.yIdx[b]*k*n:][:k*n]
			row := out[bi*n : (bi+1)*n]
			for p := 0; p < k; p++ {
				av := a[i*k+p]
				if mm.ta {
					av = a[p*m+i]
				}
				if mm.tb {
					for j := range row {
						row[j] += av * bm[j*k+p]
					}
					continue
				}
				for j, bv := range bm[p*n : (p+1)*n] {
					row[j] += av * bv
				}
			}
		}
	})
	return tensor.FromSlice(s.out, out)
}

// fusedMatMulTypes are the dtypes _FusedMatMul supports.
var fusedMatMulTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.BFloat16}

func newFusedMatMul(n *kernel.Node) (kernel.Kernel, error) {
	mm := &matmul{variant: mmLegacy}
	var err error
	if mm.ta, err = n.Attrs.Bool("transpose_a", false); err != nil {
		return nil, err
	}
	if mm.tb, err = n.Attrs.Bool("transpose_b", false); err != nil {
		return nil, err
	}
	if mm.fused, err = parseFusion(n, "MatMul"); err != nil {
		return nil, err
	}
	dt, err := n.Attrs.Type("T", tensor.Invalid)
	if err != nil {
		return nil, err
	}
	if dt == tensor.Float16 {
		return nil, kernel.Unsupported("attribute T: _FusedMatMul doesn't support DT_HALF data type on CPU devices")
	}
	if _, err := dtypeOf(n, "T", fusedMatMulTypes...); err != nil {
		return nil, err
	}
	return mm.runFused, nil
}

func (mm *matmul) runFused(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2+mm.fused.numArgs); err != nil {
		return nil, err
	}
	x, y := in[0], in[1]
	dt := x.DType()
	if dt == tensor.Float16 {
		return nil, kernel.Unsupported("_FusedMatMul doesn't support DT_HALF data type on CPU devices")
	}
	if _, err := operandDType(fusedMatMulTypes, in...); err != nil {
		return nil, err
	}
	for i, t := range []*tensor.Tensor{x, y} {
		if t.Rank() != 2 {
			return nil, fmt.Errorf("In[%d] is not a matrix. Instead it has shape %v", i, t.Shape())
		}
	}
	s, err := mm.shapes(x.Shape(), y.Shape(), x.DType())
	if err != nil {
		return nil, err
	}
	var out *tensor.Tensor
	fa := &fusionArgs{fusion: mm.fused, args: in[2:]}
	if s.k == 0 {
		// TensorFlow returns zeros for an empty contraction without
		// applying the fused ops.
		out, err = tensor.New(dt, s.out)
	} else if dt == tensor.Float64 {
		out, err = floatMatMul[float64](mm, x, y, s, dt, fa)
	} else {
		out, err = floatMatMul[float32](mm, x, y, s, dt, fa)
	}
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}
