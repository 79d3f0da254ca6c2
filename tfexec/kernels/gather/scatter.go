package gather

import (
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// scatterOp is how a scatter combines an update with the element it lands
// on.
type scatterOp int

const (
	opAssign scatterOp = iota
	opAdd
	opSub
	opMax
	opMin
	opMul // the legacy ScatterMul only
	opDiv // the legacy ScatterDiv only
)

func (op scatterOp) String() string {
	names := [...]string{"update", "add", "sub", "max", "min", "mul", "div"}
	if int(op) < len(names) {
		return names[op]
	}
	return "op"
}

// scatterTypes returns the dtypes a scatter combining updates by op
// takes: every dtype but resources and variants when it assigns; numbers,
// strings (concatenated) and bools (or-ed) when it adds; numbers when it
// subtracts; real numbers for max and min; and numbers but half and
// bfloat16 for the legacy ScatterMul and ScatterDiv.
func scatterTypes(op scatterOp) []tensor.DType {
	switch op {
	case opAssign:
		return append(kernel.FixedSizeTypes(), tensor.String)
	case opAdd:
		return append(kernel.NumberTypes(), tensor.String, tensor.Bool)
	case opMax, opMin:
		return kernel.RealTypes()
	case opMul, opDiv:
		return slices.DeleteFunc(kernel.NumberTypes(), func(dt tensor.DType) bool {
			return dt == tensor.Float16 || dt == tensor.BFloat16
		})
	}
	return kernel.NumberTypes()
}

func newScatterNd(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkIndexDType(n, "Tindices"); err != nil {
		return nil, err
	}
	policy, err := parseBadIndicesPolicy(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 3); err != nil {
			return nil, err
		}
		indices, updates, shapeT := in[0], in[1], in[2]
		if err := checkScatterRanks(indices, updates); err != nil {
			return nil, err
		}
		if shapeT.Rank() != 1 {
			return nil, kernel.Invalid("Shape must be a vector")
		}
		dims, err := kernel.Ints(shapeT)
		if err != nil {
			return nil, fmt.Errorf("shape: %w", err)
		}
		for i, d := range dims {
			if d < 0 {
				return nil, kernel.Invalid("Dimension %d must be >= 0 (shape %v)", i, dims)
			}
		}
		shape := tensor.Shape(dims)
		if !validEmptyOutput(len(dims), indices.NumElements(), updates.NumElements()) {
			return nil, kernel.Invalid("Indices and updates specified for empty output shape")
		}
		out, err := tensor.New(updates.DType(), shape)
		if err != nil {
			return nil, err
		}
		if err := scatterNd(out, indices, updates, opAdd, policy); err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

func newTensorScatter(op scatterOp) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := checkIndexDType(n, "Tindices"); err != nil {
			return nil, err
		}
		policy, err := parseBadIndicesPolicy(n)
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 3); err != nil {
				return nil, err
			}
			input, indices, updates := in[0], in[1], in[2]
			if err := checkScatterRanks(indices, updates); err != nil {
				return nil, err
			}
			if updates.DType() != input.DType() {
				return nil, kernel.Invalid("updates dtype %v does not match tensor dtype %v", updates.DType(), input.DType())
			}
			if !validEmptyOutput(input.NumElements(), indices.NumElements(), updates.NumElements()) {
				return nil, kernel.Invalid("Indices and updates specified for empty input")
			}
			out := input.Clone()
			if err := scatterNd(out, indices, updates, op, policy); err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

func checkScatterRanks(indices, updates *tensor.Tensor) error {
	if indices.Rank() < 1 {
		return kernel.Invalid("Indices shape must have rank at least one. Found:%v", indices.Shape())
	}
	if updates.Rank() < 1 {
		return kernel.Invalid("Updates shape must have rank at least one. Found:%v", updates.Shape())
	}
	return nil
}

// validEmptyOutput is TensorFlow's ValidEmptyOutputShape: empty indices
// and updates fit any output, non-empty ones need a non-empty output.
func validEmptyOutput(nOut, nIndices, nUpdates int) bool {
	if nIndices == 0 && nUpdates == 0 {
		return true
	}
	return nOut != 0 && nIndices != 0 && nUpdates != 0
}

// scatterNd validates indices and updates against out's shape, as
// TensorFlow's scatter kernels and DoScatterNd do, then applies the
// updates to out in index order.
func scatterNd(out, indices, updates *tensor.Tensor, op scatterOp, policy badIndicesPolicy) error {
	shape, is, us := out.Shape(), indices.Shape(), updates.Shape()
	// The shape function's view: indices[..., ix] index the first ix
	// dimensions of the output, updates are indices.shape[:-1] +
	// shape[ix:].
	outer := len(is) - 1
	for i := 0; i < outer; i++ {
		if i >= len(us) || is[i] != us[i] {
			return kernel.Invalid("Dimensions [0,%d) of indices[shape=%v] must match dimensions [0,%d) of updates[shape=%v]", outer, is, outer, us)
		}
	}
	ix := is[outer]
	if len(us)-outer != len(shape)-ix {
		return kernel.Invalid("Dimensions [%d,%d) of input[shape=%v] must match dimensions [%d,%d) of updates[shape=%v]", ix, len(shape), shape, outer, len(us), us)
	}
	for i := 0; i+outer < len(us); i++ {
		if us[i+outer] != shape[ix+i] {
			return kernel.Invalid("Dimensions [%d,%d) of input[shape=%v] must match dimensions [%d,%d) of updates[shape=%v]", ix, len(shape), shape, outer, len(us), us)
		}
	}
	// DoScatterNd's view, which treats rank-1 indices as a batch of
	// scalar indices.
	if len(shape) < 1 {
		return kernel.Invalid("Output must be at least 1-D, got shape: %v", shape)
	}
	if !(shape.NumElements() > 0 || (indices.NumElements() == 0 && updates.NumElements() == 0)) {
		return kernel.Invalid("Indices and updates specified for empty output.  indices shape: %v", is)
	}
	if us[0] != is[0] {
		return kernel.Invalid("Dimensions [0,1) of indices[shape=%v] = %d must match dimensions [0,1) of updates[shape=%v] = %d", is, is[0], us, us[0])
	}
	sliceDim, batchDim := 1, 1
	if len(is) > 1 {
		sliceDim, batchDim = is[len(is)-1], len(is)-1
	}
	if err := validateUpdateShape(shape, is, us, sliceDim, batchDim); err != nil {
		return err
	}
	if shape.NumElements() == 0 {
		return nil
	}
	if sliceDim < 1 || sliceDim > maxIndexDepth {
		return kernel.Invalid("Only indices.shape[-1] values between 1 and %d are currently supported.  Requested rank: %d", maxIndexDepth, sliceDim)
	}
	if updates.DType() != out.DType() {
		return kernel.Invalid("updates dtype %v does not match output dtype %v", updates.DType(), out.DType())
	}
	idx, err := indexData(indices, "indices")
	if err != nil {
		return err
	}
	nUpd := indices.NumElements() / sliceDim
	slice := product(shape[sliceDim:])
	var offsets []int
	switch ix := idx.(type) {
	case []int32:
		offsets, err = scatterOffsets(ix, sliceDim, nUpd, slice, shape, is, policy)
	case []int64:
		offsets, err = scatterOffsets(ix, sliceDim, nUpd, slice, shape, is, policy)
	}
	if err != nil {
		return err
	}
	return applyUpdates(out, updates, offsets, slice, op)
}

// validateUpdateShape is TensorFlow's ValidateUpdateShape: updates.shape
// must be indices.shape[:batchDim] + shape[sliceDim:].
func validateUpdateShape(shape, is, us tensor.Shape, sliceDim, batchDim int) error {
	bad := func() error {
		return kernel.Invalid("Must have updates.shape = indices.shape[:batch_dim] + params_shape[slice_dim:], got updates.shape: %v, indices.shape: %v, params_shape: %v, slice_dim: %d, and batch_dim: %d",
			us, is, shape, sliceDim, batchDim)
	}
	if len(us) < batchDim || len(shape) < sliceDim+(len(us)-batchDim) || len(us) != batchDim+len(shape)-sliceDim {
		return bad()
	}
	for d := 0; d < batchDim; d++ {
		if us[d] != is[d] {
			return bad()
		}
	}
	for d := 0; d < len(us)-batchDim; d++ {
		if us[d+batchDim] != shape[d+sliceDim] {
			return bad()
		}
	}
	return nil
}

// scatterOffsets turns each index tuple into the flat offset of the output
// slice it updates, -1 for a bad tuple under the IGNORE policy. The first
// bad tuple is an error otherwise, as on TensorFlow's CPU.
func scatterOffsets[I index](idx []I, sliceDim, nUpd, slice int, shape, is tensor.Shape, policy badIndicesPolicy) ([]int, error) {
	offsets := make([]int, nUpd)
	for loc := range offsets {
		row := idx[loc*sliceDim : (loc+1)*sliceDim]
		off, ok := 0, true
		for d, v := range row {
			if v < 0 || int64(v) >= int64(shape[d]) {
				ok = false
				break
			}
			off = off*shape[d] + int(v)
		}
		if !ok {
			if policy == policyIgnore {
				offsets[loc] = -1
				continue
			}
			return nil, kernel.Invalid("indices%s = [%s] does not index into shape %v", kernel.SliceDebugString(is[:len(is)-1], loc), joinInts(row), shape)
		}
		offsets[loc] = off * slice
	}
	return offsets, nil
}

// applyUpdates combines update slice i into out at offsets[i], in order,
// so that duplicates accumulate (or the last one wins) exactly as in
// TensorFlow's serial CPU loop. Columns of the slices are spread over
// goroutines, which keeps the per-element order.
func applyUpdates(out, updates *tensor.Tensor, offsets []int, slice int, op scatterOp) error {
	if op == opAssign {
		switch d := kernel.Words(out).(type) {
		case []uint8:
			assignSlices(d, kernel.Words(updates).([]uint8), offsets, slice)
		case []uint16:
			assignSlices(d, kernel.Words(updates).([]uint16), offsets, slice)
		case []uint32:
			assignSlices(d, kernel.Words(updates).([]uint32), offsets, slice)
		case []uint64:
			assignSlices(d, kernel.Words(updates).([]uint64), offsets, slice)
		case [][2]uint64:
			assignSlices(d, kernel.Words(updates).([][2]uint64), offsets, slice)
		case []string:
			assignSlices(d, kernel.Words(updates).([]string), offsets, slice)
		default:
			return kernel.Unsupported("scatter update of dtype %v", out.DType())
		}
		return nil
	}
	ok := true
	switch d := out.Data().(type) {
	case []float32:
		ok = applyReal(d, updates.Data().([]float32), offsets, slice, op)
	case []float64:
		ok = applyReal(d, updates.Data().([]float64), offsets, slice, op)
	case []int8:
		ok = applyReal(d, updates.Data().([]int8), offsets, slice, op)
	case []int16:
		ok = applyReal(d, updates.Data().([]int16), offsets, slice, op)
	case []int32:
		ok = applyReal(d, updates.Data().([]int32), offsets, slice, op)
	case []int64:
		ok = applyReal(d, updates.Data().([]int64), offsets, slice, op)
	case []uint8:
		ok = applyReal(d, updates.Data().([]uint8), offsets, slice, op)
	case []uint16:
		ok = applyReal(d, updates.Data().([]uint16), offsets, slice, op)
	case []uint32:
		ok = applyReal(d, updates.Data().([]uint32), offsets, slice, op)
	case []uint64:
		ok = applyReal(d, updates.Data().([]uint64), offsets, slice, op)
	case []complex64:
		ok = applyComplex(d, updates.Data().([]complex64), offsets, slice, op)
	case []complex128:
		ok = applyComplex(d, updates.Data().([]complex128), offsets, slice, op)
	case []tensor.F16:
		ok = applyHalf(d, updates.Data().([]tensor.F16), offsets, slice, op, tensor.F16.Float32, tensor.NewF16)
	case []tensor.BF16:
		ok = applyHalf(d, updates.Data().([]tensor.BF16), offsets, slice, op, tensor.BF16.Float32, tensor.NewBF16)
	case []string:
		// TensorFlow registers ScatterNd for strings: adding concatenates.
		ok = op == opAdd && apply(d, updates.Data().([]string), offsets, slice, func(a, b string) string { return a + b })
	case []bool:
		// Adding bools is logical or, as C++'s bool(a + b).
		ok = op == opAdd && apply(d, updates.Data().([]bool), offsets, slice, func(a, b bool) bool { return a || b })
	default:
		ok = false
	}
	if !ok {
		return kernel.Unsupported("scatter %v of dtype %v", op, out.DType())
	}
	return nil
}

// forSlices runs f on every (output slice, update slice) pair, in order,
// over column ranges spread across goroutines.
func forSlices[T any](dst, upd []T, offsets []int, slice int, f func(d, u []T)) {
	kernel.ParallelFor(slice, len(offsets), func(lo, hi int) {
		for loc, off := range offsets {
			if off >= 0 {
				f(dst[off+lo:off+hi], upd[loc*slice+lo:loc*slice+hi])
			}
		}
	})
}

func assignSlices[T any](dst, upd []T, offsets []int, slice int) {
	forSlices(dst, upd, offsets, slice, func(d, u []T) { copy(d, u) })
}

func apply[T any](dst, upd []T, offsets []int, slice int, f func(a, b T) T) bool {
	forSlices(dst, upd, offsets, slice, func(d, u []T) {
		for j := range d {
			d[j] = f(d[j], u[j])
		}
	})
	return true
}

// applyReal applies an arithmetic scatter to real numbers. Max and min
// follow std::max(input, update) and std::min(input, update): a NaN
// already in the output stays, a NaN update is ignored.
func applyReal[T tensor.Number](dst, upd []T, offsets []int, slice int, op scatterOp) bool {
	forSlices(dst, upd, offsets, slice, func(d, u []T) {
		u = u[:len(d)]
		switch op {
		case opAdd:
			for j := range d {
				d[j] += u[j]
			}
		case opSub:
			for j := range d {
				d[j] -= u[j]
			}
		case opMax:
			for j := range d {
				if d[j] < u[j] {
					d[j] = u[j]
				}
			}
		case opMin:
			for j := range d {
				if u[j] < d[j] {
					d[j] = u[j]
				}
			}
		}
	})
	return true
}

func applyComplex[T complex64 | complex128](dst, upd []T, offsets []int, slice int, op scatterOp) bool {
	switch op {
	case opAdd:
		return apply(dst, upd, offsets, slice, func(a, b T) T { return a + b })
	case opSub:
		return apply(dst, upd, offsets, slice, func(a, b T) T { return a - b })
	}
	return false
}

// applyHalf applies an arithmetic scatter to half or bfloat16 elements,
// rounding after every step as Eigen's half arithmetic does.
func applyHalf[H tensor.F16 | tensor.BF16](dst, upd []H, offsets []int, slice int, op scatterOp, f32 func(H) float32, round func(float32) H) bool {
	switch op {
	case opAdd:
		return apply(dst, upd, offsets, slice, func(a, b H) H { return round(f32(a) + f32(b)) })
	case opSub:
		return apply(dst, upd, offsets, slice, func(a, b H) H { return round(f32(a) - f32(b)) })
	case opMax:
		return apply(dst, upd, offsets, slice, func(a, b H) H {
			if f32(a) < f32(b) {
				return b
			}
			return a
		})
	case opMin:
		return apply(dst, upd, offsets, slice, func(a, b H) H {
			if f32(b) < f32(a) {
				return b
			}
			return a
		})
	}
	return false
}
