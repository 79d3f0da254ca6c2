package clusters

import (
	"slices"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Moves between space, depth and batch: DepthToSpace, SpaceToDepth,
// SpaceToBatchND and BatchToSpaceND, written as array translators (see
// arr).
func init() {
	register(Entry{DTypes: movableTypes, Check: depthSpaceCheck, Translate: arrayOp(func(a arr) error {
		return a.depthSpace("DepthToSpace")
	})}, "DepthToSpace")
	register(Entry{DTypes: movableTypes, Check: depthSpaceCheck, Translate: arrayOp(func(a arr) error {
		return a.depthSpace("SpaceToDepth")
	})}, "SpaceToDepth")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.spaceToBatch)}, "SpaceToBatchND")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.batchToSpace)}, "BatchToSpaceND")
}

// The types of the DepthToSpace and SpaceToDepth kernels.
var (
	depthToSpaceTypes = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Uint8}
	spaceToDepthTypes = []tensor.DType{tensor.Float32, tensor.Float64}
)

func depthSpaceCheck(_ *tfpb.NodeDef, a graph.Attrs) error {
	df, err := a.String("data_format", "NHWC")
	if err != nil {
		return err
	}
	if df != "NHWC" && df != "NCHW" {
		return untranslatable("data_format %s", df)
	}
	bs, err := a.Int("block_size", 0)
	if err != nil {
		return err
	}
	if bs < 2 {
		return untranslatable("block_size %d", bs)
	}
	return nil
}

// depthSpace emits DepthToSpace (mode DCR) or SpaceToDepth on the NCHW
// view. Both order depth as (block row, block column, channel), which is
// TensorFlow's order in NHWC and in NCHW. Types ONNX Runtime's kernels
// lack take the ops' definition instead: a reshape, a transpose and a
// reshape.
func (a arr) depthSpace(op string) error {
	bs, err := a.Attrs.Int("block_size", 0)
	if err != nil {
		return err
	}
	shape, err := a.shapeOf(0)
	if err != nil {
		return err
	}
	if len(shape) != 4 {
		return a.Fail("input of rank %d", len(shape))
	}
	var perm []int
	if !a.isNCHW() {
		perm = NCHW
	}
	x, err := a.InputAs(0, perm)
	if err != nil {
		return err
	}
	kernel := spaceToDepthTypes
	if op == "DepthToSpace" {
		kernel = depthToSpaceTypes
	}
	var out string
	if slices.Contains(kernel, a.In(0).DType) {
		attrs := map[string]any{"blocksize": bs}
		if op == "DepthToSpace" {
			attrs["mode"] = "DCR"
		}
		out, err = a.Op(op, []string{x}, attrs)
	} else {
		var nchw [4]int
		for j, t := range orIdentity(perm, 4) {
			nchw[j] = shape[t]
		}
		out, err = a.depthSpaceByReshape(op == "DepthToSpace", x, nchw, int(bs))
	}
	a.SetOutputValue(0, Value{Name: out, Perm: perm})
	return err
}

// depthSpaceByReshape is ONNX's definition of DepthToSpace (DCR) and
// SpaceToDepth on an NCHW value of shape s.
func (a arr) depthSpaceByReshape(toSpace bool, x string, s [4]int, bs int) (string, error) {
	n, c, h, w := s[0], s[1], s[2], s[3]
	split, order, merged := []int{n, bs, bs, c / (bs * bs), h, w}, []int{0, 3, 4, 1, 5, 2}, []int{n, c / (bs * bs), h * bs, w * bs}
	if !toSpace {
		split, order, merged = []int{n, c, h / bs, bs, w / bs, bs}, []int{0, 3, 5, 1, 2, 4}, []int{n, c * bs * bs, h / bs, w / bs}
	}
	x, err := a.reshapeTo(x, split)
	if err != nil {
		return "", err
	}
	if x, err = a.Op("Transpose", []string{x}, map[string]any{"perm": order}); err != nil {
		return "", err
	}
	return a.reshapeTo(x, merged)
}

// blockArgs reads the static block_shape (input 1) and paddings or crops
// (input 2) of SpaceToBatchND and BatchToSpaceND, and the shape and
// storage layout of the input.
func (a arr) blockArgs() (block, pads, shape, perm []int, v Value, err error) {
	if block, err = a.staticInts(1); err != nil {
		return
	}
	if pads, err = a.staticInts(2); err != nil {
		return
	}
	if shape, err = a.shapeOf(0); err != nil {
		return
	}
	if len(shape) < 1+len(block) || len(pads) != 2*len(block) {
		err = a.Fail("block_shape %v and paddings %v for shape %v", block, pads, shape)
		return
	}
	for _, b := range block {
		if b < 1 {
			err = a.Fail("block_shape %v", block)
			return
		}
	}
	if v, err = a.Raw(0); err != nil {
		return
	}
	perm = orIdentity(v.Perm, len(shape))
	return
}

// spaceToBatch pads the spatial dimensions, splits each into (size/block,
// block), moves the block dimensions before the batch and merges them into
// it. It works in the input's layout; the batch comes out first.
func (a arr) spaceToBatch() error {
	block, pads, shape, perm, v, err := a.blockArgs()
	if err != nil {
		return err
	}
	m, rank := len(block), len(shape)
	if m == 0 {
		a.SetOutputValue(0, v)
		return nil
	}
	spatial := func(t int) bool { return t >= 1 && t <= m }
	padded := make([]int, rank) // storage order
	onnxPads := make([]int, 2*rank)
	anyPad := false
	for j, t := range perm {
		padded[j] = shape[t]
		if spatial(t) {
			onnxPads[j], onnxPads[rank+j] = pads[2*(t-1)], pads[2*(t-1)+1]
			padded[j] += onnxPads[j] + onnxPads[rank+j]
			anyPad = anyPad || onnxPads[j] != 0 || onnxPads[rank+j] != 0
			if padded[j]%block[t-1] != 0 {
				return a.Fail("padded dimension %d (%d) is not a multiple of block size %d", t, padded[j], block[t-1])
			}
		}
	}
	x := v.Name
	if anyPad {
		p, err := a.Int64s(onnxPads...)
		if err != nil {
			return err
		}
		if x, err = a.kernelIn(padKernel, a.In(0).DType, "Pad", x, p); err != nil {
			return err
		}
	}
	var split []int
	outer := make([]int, rank)  // position of each storage dimension in split
	blockAt := make([]int, m+1) // position of each block dimension
	batch := 1
	for _, b := range block {
		batch *= b
	}
	batch *= shape[0]
	final := []int{batch}
	for j, t := range perm {
		outer[j] = len(split)
		if spatial(t) {
			b := block[t-1]
			split = append(split, padded[j]/b, b)
			blockAt[t] = len(split) - 1
		} else {
			split = append(split, padded[j])
		}
		if t != 0 {
			final = append(final, split[outer[j]])
		}
	}
	order := slices.Clone(blockAt[1:])
	order = append(order, outer[slices.Index(perm, 0)])
	outPerm := []int{0}
	for j, t := range perm {
		if t != 0 {
			order = append(order, outer[j])
			outPerm = append(outPerm, t)
		}
	}
	if x, err = a.reshapeTo(x, split); err != nil {
		return err
	}
	if x, err = a.Op("Transpose", []string{x}, map[string]any{"perm": order}); err != nil {
		return err
	}
	if x, err = a.reshapeTo(x, final); err != nil {
		return err
	}
	a.SetOutputValue(0, Value{Name: x, Perm: outPerm})
	return nil
}

// batchToSpace splits the batch into (block…, batch/prod), interleaves
// each block dimension after its spatial dimension, merges the pairs and
// crops. It works in the input's layout when the batch is stored first.
func (a arr) batchToSpace() error {
	block, crops, shape, perm, v, err := a.blockArgs()
	if err != nil {
		return err
	}
	m, rank := len(block), len(shape)
	if m == 0 {
		a.SetOutputValue(0, v)
		return nil
	}
	if perm[0] != 0 {
		name, err := a.Input(0)
		if err != nil {
			return err
		}
		v, perm = Value{Name: name}, identityPerm(rank)
	}
	prod := 1
	for _, b := range block {
		prod *= b
	}
	if shape[0]%prod != 0 {
		return a.Fail("batch %d is not a multiple of %d", shape[0], prod)
	}
	split := append(slices.Clone(block), shape[0]/prod)
	order := []int{m}
	merged := []int{shape[0] / prod}
	var starts, ends, axes []int
	for j := 1; j < rank; j++ {
		t := perm[j]
		split = append(split, shape[t])
		order = append(order, m+j)
		size := shape[t]
		if t <= m {
			order = append(order, t-1)
			size *= block[t-1]
			if c0, c1 := crops[2*(t-1)], crops[2*(t-1)+1]; c0 != 0 || c1 != 0 {
				starts, ends, axes = append(starts, c0), append(ends, size-c1), append(axes, j)
			}
		}
		merged = append(merged, size)
	}
	x, err := a.reshapeTo(v.Name, split)
	if err != nil {
		return err
	}
	if x, err = a.Op("Transpose", []string{x}, map[string]any{"perm": order}); err != nil {
		return err
	}
	if x, err = a.reshapeTo(x, merged); err != nil {
		return err
	}
	if len(axes) > 0 {
		ins := []string{x}
		for _, vals := range [][]int{starts, ends, axes} {
			name, err := a.Int64s(vals...)
			if err != nil {
				return err
			}
			ins = append(ins, name)
		}
		if x, err = a.Op("Slice", ins, nil); err != nil {
			return err
		}
	}
	a.SetOutputValue(0, Value{Name: x, Perm: v.Perm})
	return nil
}
