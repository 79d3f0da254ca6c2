package quantize

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// Rounding weights to the nearest int8 step leaves each layer an output
// error that no later layer corrects: on MobileNetV2 it alone flips more
// top-1 classes than quantizing every activation does. GPTQ (Frantar et
// al., "GPTQ: Accurate Post-Training Quantization for Generative
// Pre-trained Transformers", 2023, after Optimal Brain Quantization)
// rounds a layer's weights one input at a time and moves each rounding
// error onto the weights not yet rounded, weighted by how the layer's
// inputs co-vary (H = X·Xᵀ over calibration inputs), so the error of the
// layer's output, not of each weight, is what gets small. The scales stay
// those of nearest rounding.

// gptqPositions is how many input positions (patches of a Conv, rows of
// a MatMul) of each calibration input feed a layer's covariance: enough,
// over a few hundred inputs, to fill H of MobileNet's largest layers, and
// few enough to keep calibration fast. Layers with more inputs take fewer
// (gptqWork), down to gptqMinPositions.
const (
	gptqPositions    = 64
	gptqMinPositions = 16
	gptqWork         = 1 << 27 // multiply-adds per layer and calibration input, about
)

// gptqMaxInputs bounds d, the inputs of one output (a Conv's channels
// per group times its kernel size): H costs d² of memory and d³ to
// factor. Layers with more round to nearest, as do those beyond a
// calibrator's gptqMemory.
const (
	gptqMaxInputs = 2304 // a 3×3 convolution of 256 channels
	gptqMemory    = 1 << 30
)

// gptqDamp is the share of H's mean diagonal added to its diagonal, which
// keeps H invertible when calibration never excites some inputs.
const gptqDamp = 0.01

// covariance accumulates X·Xᵀ of one weighted layer's inputs: for a
// Conv, the patches its kernel reads, one matrix per group; for a MatMul
// or Gemm, the rows of its input.
type covariance struct {
	layer  string
	weight []float32
	shape  tensor.Shape
	axis   int

	conv      bool
	groups, d int
	kernel    tensor.Shape // spatial, Conv only
	strides   []int
	dilations []int
	pads      []int // begins then ends; nil with autoPad
	autoPad   string

	positions int         // sampled per calibration input
	h         [][]float64 // per group, d×d, upper triangle
	count     int         // positions seen
}

// newCovariance describes the inputs of a weighted layer, or returns
// false for one whose geometry it does not know (which then rounds to
// nearest).
func newCovariance(ix *index, l layer) (*covariance, bool) {
	if l.weight < 0 {
		return nil, false
	}
	w, shape, ok := ix.floatInit(l.n.Input[l.weight])
	if !ok {
		return nil, false
	}
	c := &covariance{layer: l.n.GetName(), weight: w, shape: shape, axis: l.axis, groups: 1}
	switch l.n.GetOpType() {
	case "Conv":
		spatial := shape.Rank() - 2
		if spatial < 1 || spatial > 2 || l.axis != 0 {
			return nil, false
		}
		c.conv = true
		c.groups = int(attrInt(l.n, "group", 1))
		if c.groups < 1 || shape[0]%c.groups != 0 {
			return nil, false
		}
		c.d = shape.NumElements() / shape[0]
		c.kernel = slices.Clone(shape[2:])
		c.strides = attrInts(l.n, "strides", spatial, 1)
		c.dilations = attrInts(l.n, "dilations", spatial, 1)
		c.autoPad = attrString(l.n, "auto_pad")
		switch c.autoPad {
		case "", "NOTSET":
			c.autoPad = ""
			c.pads = attrInts(l.n, "pads", 2*spatial, 0)
		case "VALID":
			c.autoPad = ""
			c.pads = make([]int, 2*spatial)
		case "SAME_UPPER", "SAME_LOWER":
		default:
			return nil, false
		}
		if c.strides == nil || c.dilations == nil || (c.autoPad == "" && c.pads == nil) {
			return nil, false
		}
	case "MatMul", "Gemm":
		if shape.Rank() != 2 {
			return nil, false
		}
		c.d = shape[1-l.axis]
	default:
		return nil, false
	}
	if c.d < 1 || c.d > gptqMaxInputs {
		return nil, false
	}
	c.positions = min(gptqPositions, max(gptqMinPositions, gptqWork/(c.d*c.d)))
	c.h = make([][]float64, c.groups)
	for g := range c.h {
		c.h[g] = make([]float64, c.d*c.d)
	}
	return c, true
}

// bytes is the memory c's matrices take.
func (c *covariance) bytes() int { return 8 * c.groups * c.d * c.d }

// add accumulates one run's input of the layer; an input of a shape the
// layer cannot read is ignored.
func (c *covariance) add(t *tensor.Tensor) {
	if t == nil || t.DType() != tensor.Float32 {
		return
	}
	x := tensor.Values[float32](t)
	s := t.Shape()
	if !c.conv {
		if s.Rank() < 1 || s[s.Rank()-1] != c.d {
			return
		}
		rows := sampled(t.NumElements()/c.d, c.positions)
		p := make([]float64, len(rows)*c.d)
		for k, r := range rows {
			for i, v := range x[r*c.d : (r+1)*c.d] {
				p[k*c.d+i] = float64(v)
			}
		}
		c.accumulate(0, p)
		c.count += len(rows)
		return
	}
	spatial := len(c.kernel)
	cin := c.d / c.kernel.NumElements() // channels per group
	if s.Rank() != 2+spatial || s[1] != cin*c.groups {
		return
	}
	// Each spatial dimension's size, padding before and outputs, as
	// 2-D: a 1-D convolution is one of height 1.
	in, before, out := []int{1, 1}, []int{0, 0}, []int{1, 1}
	mode := tfshape.PaddingExplicit
	if c.autoPad != "" {
		mode = tfshape.PaddingSame // SAME_UPPER: the odd element after
	}
	for i := range spatial {
		j := i + 2 - spatial
		var padBefore, padAfter int
		if c.pads != nil {
			padBefore, padAfter = c.pads[i], c.pads[i+spatial]
		}
		o, b, a, err := tfshape.Windowed(s[2+i], c.kernel[i], c.dilations[i], c.strides[i], mode, padBefore, padAfter)
		if err != nil || o < 1 {
			return
		}
		if c.autoPad == "SAME_LOWER" {
			b = a
		}
		in[j], before[j], out[j] = s[2+i], b, o
	}
	kernel, strides, dilations := as2D(c.kernel), as2D(c.strides), as2D(c.dilations)
	plane := in[0] * in[1]
	positions := sampled(s[0]*out[0]*out[1], c.positions)
	p := make([]float64, len(positions)*c.d)
	for g := range c.groups {
		i := 0
		for _, pos := range positions {
			n, oy, ox := pos/(out[0]*out[1]), pos/out[1]%out[0], pos%out[1]
			for ch := range cin {
				base := (n*s[1] + g*cin + ch) * plane
				for ky := range kernel[0] {
					y := oy*strides[0] - before[0] + ky*dilations[0]
					for kx := range kernel[1] {
						xx := ox*strides[1] - before[1] + kx*dilations[1]
						if y < 0 || y >= in[0] || xx < 0 || xx >= in[1] {
							p[i] = 0
						} else {
							p[i] = float64(x[base+y*in[1]+xx])
						}
						i++
					}
				}
			}
		}
		c.accumulate(g, p)
	}
	c.count += len(positions)
}

// sampled returns up to k of n positions, evenly spread.
func sampled(n, k int) []int {
	k = min(n, k)
	out := make([]int, k)
	for i := range out {
		out[i] = i * n / k
	}
	return out
}

// as2D returns a spatial parameter of one or two dimensions as two, 1
// before a single one.
func as2D(xs []int) []int {
	if len(xs) == 1 {
		return []int{1, xs[0]}
	}
	return xs
}

// accumulate adds the patches p (rows of length d) to group g's H,
// eight at a time so that each pass over H does eight patches' work.
func (c *covariance) accumulate(g int, p []float64) {
	const block = 8
	h, d := c.h[g], c.d
	t := make([]float64, d*block) // the block, transposed
	for start := 0; start < len(p); start += block * d {
		clear(t)
		for r := range min(block, (len(p)-start)/d) {
			for j, v := range p[start+r*d : start+(r+1)*d] {
				t[j*block+r] = v
			}
		}
		for i := range d {
			a := t[i*block : i*block+block : i*block+block]
			if a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0 {
				continue
			}
			row := h[i*d+i : i*d+d]
			for j := range row {
				b := t[(i+j)*block : (i+j)*block+block : (i+j)*block+block]
				row[j] += a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3] + a[4]*b[4] + a[5]*b[5] + a[6]*b[6] + a[7]*b[7]
			}
		}
	}
}

// round returns the layer's int8 weights rounded by GPTQ with the scales
// of nearest rounding (nearest and scales, as symmetric gives them); a
// group whose H cannot be factored keeps nearest's values.
func (c *covariance) round(nearest []int8, scales []float32) []int8 {
	q := slices.Clone(nearest)
	if c.count == 0 {
		return q
	}
	channels := c.shape[c.axis]
	perGroup := channels / c.groups
	// at returns where input i of output channel o lives in the weight.
	at := func(o, i int) int { return o*c.d + i }
	if !c.conv && c.axis == 1 {
		at = func(o, i int) int { return i*channels + o }
	}
	row := make([]float64, c.d)
	for g := range c.groups {
		u := inverseFactor(c.h[g], c.d)
		if u == nil {
			continue
		}
		for o := g * perGroup; o < (g+1)*perGroup; o++ {
			s := float64(scales[o])
			for i := range row {
				row[i] = float64(c.weight[at(o, i)])
			}
			for i := range row {
				v := clamp(math.RoundToEven(row[i]/s), -127, 127)
				q[at(o, i)] = int8(v)
				e := (row[i] - v*s) / u[i*c.d+i]
				for j := i + 1; j < c.d; j++ {
					row[j] -= e * u[i*c.d+j]
				}
			}
		}
	}
	return q
}

// inverseFactor returns the upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU),
// H given by its upper triangle and dampened, or nil when H is not
// positive definite even then. With H = R·Rᵀ, R upper triangular (the
// Cholesky factor of H with its order reversed), U = R⁻¹.
func inverseFactor(upper []float64, d int) []float64 {
	mean := 0.0
	for i := range d {
		mean += upper[i*d+i]
	}
	mean /= float64(d)
	if mean <= 0 || !finite(mean) {
		return nil
	}
	// rev is H with rows and columns in reverse order.
	rev := make([]float64, d*d)
	for i := range d {
		for j := i; j < d; j++ {
			v := upper[i*d+j]
			if i == j {
				if v == 0 {
					v = mean // an input calibration never excited
				}
				v += gptqDamp * mean
			}
			ri, rj := d-1-i, d-1-j
			rev[ri*d+rj], rev[rj*d+ri] = v, v
		}
	}
	l := cholesky(rev, d) // rev = L·Lᵀ, so R = J·L·J
	if l == nil {
		return nil
	}
	// X = L⁻¹ (lower) row by row: row i is e_i less earlier rows.
	x := make([]float64, d*d)
	for i := range d {
		row := x[i*d : i*d+i+1]
		row[i] = 1
		for k, lik := range l[i*d : i*d+i] {
			if lik == 0 {
				continue
			}
			for j, v := range x[k*d : k*d+k+1] {
				row[j] -= lik * v
			}
		}
		for j := range row {
			row[j] /= l[i*d+i]
		}
	}
	// U = R⁻¹ = J·X·J.
	u := make([]float64, d*d)
	for i := range d {
		for j := range i + 1 {
			u[(d-1-i)*d+(d-1-j)] = x[i*d+j]
		}
	}
	return u
}

// cholesky returns the lower factor L of a symmetric positive definite
// a (a = L·Lᵀ), or nil.
func cholesky(a []float64, d int) []float64 {
	l := make([]float64, d*d)
	for j := range d {
		s := a[j*d+j]
		for k := range j {
			s -= l[j*d+k] * l[j*d+k]
		}
		if s <= 0 || !finite(s) {
			return nil
		}
		l[j*d+j] = math.Sqrt(s)
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := range j {
				t -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = t / l[j*d+j]
		}
	}
	return l
}

// rounding returns how the layer's GPTQ values differ from nearest
// rounding.
func (c *covariance) rounding() (LayerWeights, error) {
	nearest, scales := symmetric(c.weight, c.shape, c.axis)
	q := c.round(nearest, scales)
	delta := make([]byte, len(q))
	for i := range q {
		delta[i] = byte(int8(clamp(float64(q[i])-float64(nearest[i]), math.MinInt8, math.MaxInt8)))
	}
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return LayerWeights{}, err
	}
	if _, err := w.Write(delta); err != nil {
		return LayerWeights{}, err
	}
	if err := w.Close(); err != nil {
		return LayerWeights{}, err
	}
	return LayerWeights{Layer: c.layer, Delta: buf.Bytes()}, nil
}

// apply moves nearest-rounded values q by the differences r holds.
func (r *LayerWeights) apply(q []int8) error {
	delta, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(r.Delta)), int64(len(q))+1))
	if err != nil {
		return fmt.Errorf("%w: layer %s: weights: %w", ErrPlan, r.Layer, err)
	}
	switch {
	case len(delta) > len(q):
		return fmt.Errorf("%w: layer %s: weights hold more than the layer's %d values", ErrPlan, r.Layer, len(q))
	case len(delta) < len(q):
		return fmt.Errorf("%w: layer %s: weights hold %d values, the layer has %d", ErrPlan, r.Layer, len(delta), len(q))
	}
	for i, d := range delta {
		q[i] = int8(clamp(float64(q[i])+float64(int8(d)), -127, 127))
	}
	return nil
}
