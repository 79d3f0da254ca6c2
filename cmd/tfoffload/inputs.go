package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// errInputTooLarge is wrapped by checkInputSize's errors.
var errInputTooLarge = errors.New("generated input too large")

// checkInputSize refuses a generated input of dtype dt and shape that the
// memory budget (tensor.CheckAlloc: TFOFFLOAD_MAX_TENSOR_BYTES, else half
// the machine's memory) does not allow, before anything is allocated.
// Random values are staged as float64, so that size is checked too.
func checkInputSize(name string, dt tensor.DType, shape []int) error {
	for _, d := range []tensor.DType{dt, tensor.Float64} {
		if err := tensor.CheckAlloc(d, shape); err != nil {
			return &inputSizeError{name: name, staged: d != dt, err: err}
		}
	}
	return nil
}

// inputSizeError is checkInputSize's error: it wraps errInputTooLarge and
// the budget's own error.
type inputSizeError struct {
	name   string
	staged bool // the float64 values it is made from are too large
	err    error
}

func (e *inputSizeError) Error() string {
	what := ""
	if e.staged {
		what = " (its random values are made as float64)"
	}
	return fmt.Sprintf("generated input %s too large%s: %s", e.name, what, strings.TrimPrefix(e.err.Error(), "tensor: "))
}

func (e *inputSizeError) Unwrap() []error { return []error{errInputTooLarge, e.err} }

// givenShape is the shape an --input-shape flag gives, with the flag.
type givenShape struct {
	dims []int
	flag string // "--input-shape x=1,2"
}

// parseShapes reads --input-shape NAME=D0,D1,... flags into shapes keyed by
// NAME and, when NAME is a tensor name, its canonical form; every
// dimension must be a positive integer. Its errors are usage errors.
func parseShapes(specs []string) (map[string]givenShape, error) {
	out := map[string]givenShape{}
	for _, s := range specs {
		name, dims, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, flagErrorf("--input-shape %q: want NAME=D0,D1,...", s)
		}
		g := givenShape{flag: "--input-shape " + s}
		if dims != "" {
			for _, d := range strings.Split(dims, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(d))
				if err != nil || n < 1 {
					return nil, flagErrorf("--input-shape %q: dimension %q is not a positive integer", s, d)
				}
				g.dims = append(g.dims, n)
			}
		}
		out[name] = g
		if t, err := graph.ParseTensorName(name); err == nil {
			out[t.Canonical()] = g // "x" also names tensor "x:0"
		}
	}
	return out, nil
}

// inputSpec is what synthesize makes for one input: its dtype and shape,
// and the flag that chose the shape ("" when the model's declared shape
// did).
type inputSpec struct {
	name  string // the tensor
	dt    tensor.DType
	shape []int
	flag  string
}

// planInput chooses the dtype and shape of a random input for info.
// Unknown dimensions are 1, or batch (when positive) for an unknown first
// dimension, unless shapes (keyed by signature key or tensor name) gives
// the shape. It refuses inputs checkInputSize refuses.
func planInput(info graph.TensorInfo, shapes map[string]givenShape, batch int) (inputSpec, error) {
	spec := inputSpec{name: info.Name, dt: info.DType}
	if spec.dt == tensor.Invalid {
		spec.dt = tensor.Float32
	}
	if !spec.dt.IsNumeric() && spec.dt != tensor.Bool || spec.dt.IsComplex() {
		return spec, fmt.Errorf("input %s is %v: give a value with --input", info.Name, spec.dt)
	}
	g, given := shapes[info.Name]
	if !given && info.Key != "" {
		g, given = shapes[info.Key]
	}
	switch {
	case given:
		spec.shape, spec.flag = g.dims, g.flag
	case !info.RankKnown:
		return spec, fmt.Errorf("input %s has unknown rank: give its shape with --input-shape or a value with --input", info.Name)
	default:
		for i, d := range info.Shape {
			if i == 0 && d < 0 && batch > 0 {
				spec.shape, spec.flag = append(spec.shape, batch), "--batch "+strconv.Itoa(batch)
				continue
			}
			spec.shape = append(spec.shape, max(int(d), 1))
		}
	}
	if err := checkInputSize(info.Name, spec.dt, spec.shape); err != nil {
		if spec.flag != "" {
			return spec, flagErrorf("%s: %w", spec.flag, err)
		}
		return spec, err
	}
	return spec, nil
}

// synthesize makes a deterministic random input to spec: floats in [0,
// 1), integers in [0, 255], bools at random.
func synthesize(spec inputSpec, rng *rand.Rand) (*tensor.Tensor, error) {
	vals := make([]float64, tensor.Shape(spec.shape).NumElements())
	for i := range vals {
		switch {
		case spec.dt.IsFloat():
			vals[i] = rng.Float64()
		case spec.dt == tensor.Bool:
			vals[i] = float64(rng.IntN(2))
		default:
			vals[i] = float64(rng.IntN(256))
		}
	}
	return tensor.FromFloat64s(spec.dt, spec.shape, vals)
}

// modelInputs returns the feeds for a model: the given files, and random
// values for every other input, shaped by --input-shape specs.
func modelInputs(m *graph.Model, sig *graph.Signature, specs, shapeSpecs []string) (map[string]*tensor.Tensor, error) {
	shapes, err := parseShapes(shapeSpecs)
	if err != nil {
		return nil, err
	}
	return generateInputs(m, sig, specs, shapes, 0)
}

// generateInputs reads the --input files and makes random values for every
// other input of m (or sig), with an unknown first dimension set to batch
// when it is positive.
func generateInputs(m *graph.Model, sig *graph.Signature, specs []string, shapes map[string]givenShape, batch int) (map[string]*tensor.Tensor, error) {
	fed, plans, err := planInputs(m, sig, specs, shapes, batch)
	if err != nil {
		return nil, err
	}
	feeds, _, err := readFeeds(fed)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range plans {
		if feeds[p.name], err = synthesize(p, rng); err != nil {
			return nil, err
		}
	}
	return feeds, nil
}

// planInputs resolves the --input flags and plans a random value for every
// other input, refusing any checkInputSize refuses, without reading or
// allocating anything.
func planInputs(m *graph.Model, sig *graph.Signature, specs []string, shapes map[string]givenShape, batch int) ([]feedSpec, []inputSpec, error) {
	fed, err := parseFeeds(m, sig, specs)
	if err != nil {
		return nil, nil, err
	}
	infos := m.InputsOf(sig)
	var plans []inputSpec
outer:
	for _, in := range infos {
		for _, f := range fed {
			if f.info.Name == in.Name {
				continue outer
			}
		}
		p, err := planInput(in, shapes, batch)
		if err != nil {
			return nil, nil, err
		}
		plans = append(plans, p)
	}
	return fed, plans, nil
}
