package nn

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// The ops in this file only move elements: each builds a map from runs
// of consecutive output elements to the input offsets they copy (or -1
// for zero padding) and hands it to moveRuns, which is generic over the
// element type, so every dtype is supported.

// newSpaceBatch prepares SpaceToBatchND (toBatch) or BatchToSpaceND.
func newSpaceBatch(toBatch bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 3); err != nil {
				return nil, err
			}
			var out *tensor.Tensor
			var err error
			if toBatch {
				out, err = spaceToBatch(in[0], in[1], in[2])
			} else {
				out, err = batchToSpace(in[0], in[1], in[2])
			}
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// blockArgs reads and checks the block_shape input and the [M, 2]
// paddings or crops input (named what) shared by the two ops.
func blockArgs(x, blockT, padT *tensor.Tensor, what string) (block, pads []int, err error) {
	if blockT.Rank() != 1 {
		return nil, nil, fmt.Errorf("block_shape rank should be 1 instead of %d", blockT.Rank())
	}
	m := blockT.Shape()[0]
	if x.Rank() < 1+m {
		return nil, nil, fmt.Errorf("input rank should be >= %d instead of %d", 1+m, x.Rank())
	}
	if ps := padT.Shape(); len(ps) != 2 || ps[0] != m || ps[1] != 2 {
		return nil, nil, fmt.Errorf("%s should have shape [%d, 2] instead of %v", what, m, ps)
	}
	if block, err = kernel.Ints(blockT); err != nil {
		return nil, nil, fmt.Errorf("block_shape: %w", err)
	}
	if pads, err = kernel.Ints(padT); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	for i, b := range block {
		if b < 1 || b > math.MaxInt32 {
			return nil, nil, fmt.Errorf("all values in block_shape must be positive and fit in int32, got value, %d at index %d", b, i)
		}
	}
	for _, p := range pads {
		if p > math.MaxInt32 {
			return nil, nil, fmt.Errorf("%s value %d is out of range", what, p)
		}
	}
	return block, pads, nil
}

// blockProduct multiplies the block sizes, failing on overflow.
func blockProduct(block []int) (int, error) {
	p := 1
	for _, b := range block {
		if p > math.MaxInt/b {
			return 0, fmt.Errorf("product of block sizes %v overflows", block)
		}
		p *= b
	}
	return p, nil
}

// checkElements fails when shape has more elements than an int holds.
func checkElements(shape tensor.Shape) error {
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > math.MaxInt/d) {
			return fmt.Errorf("output shape %v is invalid or too large", shape)
		}
		n *= d
	}
	return nil
}

// spaceGeom describes the tensor with the batch and M spatial dimensions
// of SpaceToBatchND/BatchToSpaceND: shape[0] is the batch, shape[1:M+1]
// the spatial dimensions, and the rest form runs of depth elements.
type spaceGeom struct {
	batch   int
	spatial []int
	strides []int // run strides of the spatial dimensions
	depth   int
}

func newSpaceGeom(shape tensor.Shape, m int) spaceGeom {
	g := spaceGeom{batch: shape[0], spatial: shape[1 : m+1], strides: make([]int, m), depth: 1}
	for _, d := range shape[m+1:] {
		g.depth *= d
	}
	acc := 1
	for i := m - 1; i >= 0; i-- {
		g.strides[i] = acc
		acc *= g.spatial[i]
	}
	return g
}

// runs is the number of depth runs in one batch entry.
func (g spaceGeom) runs() int {
	n := 1
	for _, d := range g.spatial {
		n *= d
	}
	return n
}

func spaceToBatch(x, blockT, padT *tensor.Tensor) (*tensor.Tensor, error) {
	block, pads, err := blockArgs(x, blockT, padT, "paddings")
	if err != nil {
		return nil, err
	}
	m := len(block)
	if m == 0 {
		return x, nil
	}
	shape := x.Shape()
	product, err := blockProduct(block)
	if err != nil {
		return nil, err
	}
	outShape := tensor.Shape{0}
	for i, b := range block {
		before, after := pads[2*i], pads[2*i+1]
		if before < 0 || after < 0 {
			return nil, fmt.Errorf("paddings must be non-negative, got %v", pads)
		}
		padded := shape[i+1] + before + after
		if padded%b != 0 {
			return nil, fmt.Errorf("padded_shape[%d]=%d is not divisible by block_shape[%d]=%d", i, padded, i, b)
		}
		outShape = append(outShape, padded/b)
	}
	if shape[0] != 0 && product > math.MaxInt/shape[0] {
		return nil, fmt.Errorf("output batch size %d·%d overflows", shape[0], product)
	}
	outShape[0] = shape[0] * product
	outShape = append(outShape, shape[m+1:]...)
	if err := checkElements(outShape); err != nil {
		return nil, err
	}
	// Paddings can make the output much larger than the input: check it,
	// and the index of one int per run, before building either.
	if err := tensor.CheckAlloc(x.DType(), outShape); err != nil {
		return nil, err
	}
	in, out := newSpaceGeom(shape, m), newSpaceGeom(outShape, m)
	if err := tensor.CheckAlloc(tensor.Int64, tensor.Shape{out.batch, out.runs()}); err != nil {
		return nil, err
	}

	idx := make([]int, out.batch*out.runs())
	pos := make([]int, m)
	offset := make([]int, m)
	q := 0
	for ob := range out.batch {
		b, k := ob%in.batch, ob/in.batch
		for d := m - 1; d >= 0; d-- {
			offset[d] = k%block[d] - pads[2*d]
			k /= block[d]
		}
		clear(pos)
		for range out.runs() {
			src := b * in.runs()
			for d, o := range pos {
				i := o*block[d] + offset[d]
				if i < 0 || i >= in.spatial[d] {
					src = -1
					break
				}
				src += i * in.strides[d]
			}
			if src >= 0 {
				src *= in.depth
			}
			idx[q] = src
			q++
			step(pos, out.spatial)
		}
	}
	return moveRuns(x, outShape, idx, in.depth)
}

func batchToSpace(x, blockT, cropT *tensor.Tensor) (*tensor.Tensor, error) {
	block, crops, err := blockArgs(x, blockT, cropT, "crops")
	if err != nil {
		return nil, err
	}
	m := len(block)
	shape := x.Shape()
	product, err := blockProduct(block)
	if err != nil {
		return nil, err
	}
	if shape[0]%product != 0 {
		return nil, fmt.Errorf("input batch dimension (%d) is not divisible by product of block sizes (%d)", shape[0], product)
	}
	if m == 0 {
		return x, nil
	}
	outShape := tensor.Shape{shape[0] / product}
	for i, b := range block {
		start, end := crops[2*i], crops[2*i+1]
		if start < 0 || end < 0 {
			return nil, fmt.Errorf("crops must be non-negative, got %v", crops)
		}
		cropped := shape[i+1]*b - start - end
		if cropped < 0 {
			return nil, fmt.Errorf("cropped_shape[%d]=%d must be non-negative", i, cropped)
		}
		outShape = append(outShape, cropped)
	}
	outShape = append(outShape, shape[m+1:]...)
	in, out := newSpaceGeom(shape, m), newSpaceGeom(outShape, m)

	idx := make([]int, out.batch*out.runs())
	pos := make([]int, m)
	q := 0
	for b := range out.batch {
		clear(pos)
		for range out.runs() {
			k, src := 0, 0
			for d, o := range pos {
				t := o + crops[2*d]
				k = k*block[d] + t%block[d]
				src += t / block[d] * in.strides[d]
			}
			idx[q] = ((k*out.batch+b)*in.runs() + src) * in.depth
			q++
			step(pos, out.spatial)
		}
	}
	return moveRuns(x, outShape, idx, in.depth)
}

// step advances a row-major multi-index over dims by one.
func step(pos, dims []int) {
	for d := len(pos) - 1; d >= 0; d-- {
		pos[d]++
		if pos[d] < dims[d] {
			return
		}
		pos[d] = 0
	}
}

// newDepthSpace prepares DepthToSpace (toSpace) or SpaceToDepth.
func newDepthSpace(toSpace bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		bs, err := n.Attrs.Int("block_size", 0)
		if err != nil {
			return nil, err
		}
		if bs < 2 || bs > math.MaxInt32 {
			return nil, fmt.Errorf("attribute \"block_size\" should be in (1, %d], but was: %d", math.MaxInt32, bs)
		}
		format, err := parseFormat(n, "NHWC", "NHWC", "NCHW")
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 1); err != nil {
				return nil, err
			}
			var out *tensor.Tensor
			var err error
			if toSpace {
				out, err = depthToSpace(in[0], int(bs), format)
			} else {
				out, err = spaceToDepth(in[0], int(bs), format)
			}
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// imageDims returns a rank-4 shape's batch, height, width and depth.
func imageDims(shape tensor.Shape, format dataFormat) (n, h, w, c int, err error) {
	if len(shape) != 4 {
		return 0, 0, 0, 0, fmt.Errorf("input rank should be: 4 instead of: %d", len(shape))
	}
	ni, hi, wi, ci := format.nhwc()
	return shape[ni], shape[hi], shape[wi], shape[ci], nil
}

func imageShape(format dataFormat, n, h, w, c int) tensor.Shape {
	if format == channelsFirst {
		return tensor.Shape{n, c, h, w}
	}
	return tensor.Shape{n, h, w, c}
}

// depthToSpace moves blocks of depth into bs×bs spatial blocks: output
// (h·bs+i, w·bs+j, c) comes from input (h, w, (i·bs+j)·oc + c).
func depthToSpace(x *tensor.Tensor, bs int, format dataFormat) (*tensor.Tensor, error) {
	n, h, w, c, err := imageDims(x.Shape(), format)
	if err != nil {
		return nil, err
	}
	if c%(bs*bs) != 0 {
		return nil, fmt.Errorf("input depth dimension %d should be divisible by: %d", c, bs*bs)
	}
	oc, oh, ow := c/(bs*bs), h*bs, w*bs
	outShape := imageShape(format, n, oh, ow, oc)
	if format == channelsLast {
		idx := make([]int, n*oh*ow)
		q := 0
		for b := range n {
			for y := range oh {
				for xx := range ow {
					idx[q] = ((b*h+y/bs)*w+xx/bs)*c + ((y%bs)*bs+xx%bs)*oc
					q++
				}
			}
		}
		return moveRuns(x, outShape, idx, oc)
	}
	idx := make([]int, n*oc*oh*ow)
	q := 0
	for b := range n {
		for k := range oc {
			for y := range oh {
				for xx := range ow {
					ic := ((y%bs)*bs+xx%bs)*oc + k
					idx[q] = ((b*c+ic)*h+y/bs)*w + xx/bs
					q++
				}
			}
		}
	}
	return moveRuns(x, outShape, idx, 1)
}

// spaceToDepth is the inverse of depthToSpace: output (h, w, (i·bs+j)·c +
// k) comes from input (h·bs+i, w·bs+j, k).
func spaceToDepth(x *tensor.Tensor, bs int, format dataFormat) (*tensor.Tensor, error) {
	n, h, w, c, err := imageDims(x.Shape(), format)
	if err != nil {
		return nil, err
	}
	if h%bs != 0 || w%bs != 0 {
		return nil, fmt.Errorf("image width %d and height %d should be divisible by block_size: %d", w, h, bs)
	}
	oh, ow, oc := h/bs, w/bs, c*bs*bs
	outShape := imageShape(format, n, oh, ow, oc)
	if format == channelsLast {
		idx := make([]int, n*oh*ow*bs*bs)
		q := 0
		for b := range n {
			for y := range oh {
				for xx := range ow {
					for i := range bs {
						for j := range bs {
							idx[q] = ((b*h+y*bs+i)*w + xx*bs + j) * c
							q++
						}
					}
				}
			}
		}
		return moveRuns(x, outShape, idx, c)
	}
	idx := make([]int, n*oc*oh*ow)
	q := 0
	for b := range n {
		for k := range oc {
			blk, ic := k/c, k%c
			i, j := blk/bs, blk%bs
			for y := range oh {
				for xx := range ow {
					idx[q] = ((b*c+ic)*h+y*bs+i)*w + xx*bs + j
					q++
				}
			}
		}
	}
	return moveRuns(x, outShape, idx, 1)
}

// moveRuns builds a tensor of x's dtype and the given shape whose i-th
// run of chunk elements is copied from x starting at flat offset idx[i],
// or left zero where idx[i] < 0.
func moveRuns(x *tensor.Tensor, shape tensor.Shape, idx []int, chunk int) (*tensor.Tensor, error) {
	out, err := tensor.New(x.DType(), shape)
	if err != nil {
		return nil, err
	}
	if out.NumElements() == 0 {
		return out, nil
	}
	switch src := x.Data().(type) {
	case []float32:
		copyRuns(out.Data().([]float32), src, idx, chunk)
	case []float64:
		copyRuns(out.Data().([]float64), src, idx, chunk)
	case []tensor.F16:
		copyRuns(out.Data().([]tensor.F16), src, idx, chunk)
	case []tensor.BF16:
		copyRuns(out.Data().([]tensor.BF16), src, idx, chunk)
	case []int8:
		copyRuns(out.Data().([]int8), src, idx, chunk)
	case []int16:
		copyRuns(out.Data().([]int16), src, idx, chunk)
	case []int32:
		copyRuns(out.Data().([]int32), src, idx, chunk)
	case []int64:
		copyRuns(out.Data().([]int64), src, idx, chunk)
	case []uint8:
		copyRuns(out.Data().([]uint8), src, idx, chunk)
	case []uint16:
		copyRuns(out.Data().([]uint16), src, idx, chunk)
	case []uint32:
		copyRuns(out.Data().([]uint32), src, idx, chunk)
	case []uint64:
		copyRuns(out.Data().([]uint64), src, idx, chunk)
	case []bool:
		copyRuns(out.Data().([]bool), src, idx, chunk)
	case []string:
		copyRuns(out.Data().([]string), src, idx, chunk)
	case []complex64:
		copyRuns(out.Data().([]complex64), src, idx, chunk)
	case []complex128:
		copyRuns(out.Data().([]complex128), src, idx, chunk)
	default:
		return nil, kernel.Unsupported("dtype %v", x.DType())
	}
	return out, nil
}

func copyRuns[T any](dst, src []T, idx []int, chunk int) {
	kernel.ParallelFor(len(idx), chunk+2, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if s := idx[i]; s >= 0 {
				copy(dst[i*chunk:(i+1)*chunk], src[s:s+chunk])
			}
		}
	})
}
