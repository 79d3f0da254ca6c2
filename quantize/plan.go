package quantize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Mode is how a plan quantizes the offloaded clusters.
type Mode string

// The quantization modes.
const (
	// Int8 is static post-training quantization: activations are
	// quantized with ranges calibrated on real inputs, weights per
	// channel, in ONNX's QuantizeLinear/DequantizeLinear form.
	Int8 Mode = "int8"
	// Int8Dynamic quantizes MatMul weights ahead of time and their
	// activations at run time (DynamicQuantizeLinear + MatMulInteger).
	Int8Dynamic Mode = "int8-dynamic"
	// FP16 stores float weights as float16 and casts them back to float32
	// when the model loads: half the size, the same kernels.
	FP16 Mode = "fp16"
)

// Modes lists the modes in help order.
func Modes() []Mode { return []Mode{Int8, Int8Dynamic, FP16} }

// ParseMode parses a mode's name.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: mode %q (want %s)", ErrPlan, s, joinNames(Modes()))
}

// Method is how calibration turns the values it saw into a range.
type Method string

// The calibration methods.
const (
	// MinMax takes the smallest and largest value seen.
	MinMax Method = "minmax"
	// Percentile clips the range to the 99.99th percentile of absolute
	// values (on each side of zero), ignoring rare outliers.
	Percentile Method = "percentile"
	// Entropy chooses the clipping threshold that minimises the
	// Kullback-Leibler divergence between the histogram of values and
	// its quantized form (TensorRT's calibration).
	Entropy Method = "entropy"
)

// Rounding is how Int8 rounds weights to int8 steps.
type Rounding string

// The weight roundings.
const (
	// GPTQ rounds each layer's weights one input at a time and moves
	// each rounding error onto the weights not yet rounded, as the
	// calibration inputs' covariance says, so that the layer's output
	// changes least (Frantar et al., 2023).
	GPTQ Rounding = "gptq"
	// Nearest rounds each weight to its nearest step.
	Nearest Rounding = "nearest"
)

// Roundings lists the weight roundings in help order.
func Roundings() []Rounding { return []Rounding{GPTQ, Nearest} }

// ParseRounding parses a weight rounding's name.
func ParseRounding(s string) (Rounding, error) {
	for _, r := range Roundings() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: weight rounding %q (want %s)", ErrPlan, s, joinNames(Roundings()))
}

// Methods lists the calibration methods in help order.
func Methods() []Method { return []Method{MinMax, Percentile, Entropy} }

// ParseMethod parses a calibration method's name.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: calibration method %q (want %s)", ErrPlan, s, joinNames(Methods()))
}

func joinNames[S ~string](xs []S) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(x)
	}
	return strings.Join(parts, ", ")
}

// ErrPlan reports a malformed plan or manifest.
var ErrPlan = errors.New("quantize: invalid plan")

// Format is the manifest's format tag; a manifest with another one is
// refused.
const Format = "tfoffload-quantized/1"

// Plan says how to quantize each offloaded cluster of one model. The
// same plan quantizes a cluster for every input signature it compiles
// for: ranges and reverted layers are keyed by ONNX tensor and node
// names, which translation derives from the TensorFlow graph, so a
// model compiled at batch 8 is quantized like the one calibrated at
// batch 1.
type Plan struct {
	Format string `json:"format"`
	Mode   Mode   `json:"mode"`
	// Method is the calibration method (Int8 only).
	Method Method `json:"method,omitempty"`
	// Rounding is how weights were rounded (Int8 only; empty is
	// Nearest, the rounding before GPTQ was added).
	Rounding Rounding `json:"rounding,omitempty"`
	// Model is the original model inside the quantized model's folder,
	// relative to it (set by Write).
	Model string `json:"model,omitempty"`
	// Clusters holds the calibration of each cluster, by ascending ID
	// (Int8 only).
	Clusters []ClusterPlan `json:"clusters,omitempty"`
	// Reverted names the layers (ONNX node names) kept in float32 in
	// every cluster, in the order accuracy-aware quantization reverted
	// them.
	Reverted []string `json:"reverted,omitempty"`
	// Metric records what accuracy-aware quantization measured; nil when
	// it did not run.
	Metric *MetricReport `json:"metric,omitempty"`
}

// ClusterPlan is the calibration of one cluster.
type ClusterPlan struct {
	ID int `json:"id"`
	// Ranges hold each calibrated activation's range, sorted by tensor.
	Ranges []Range `json:"ranges"`
	// Weights hold the layers whose int8 weights calibration rounded
	// (GPTQ), sorted by layer; the others round to nearest.
	Weights []LayerWeights `json:"weights,omitempty"`
}

// LayerWeights is how calibration rounded one layer's int8 weights: each
// value's difference from nearest rounding (mostly 0, else ±1), in the
// weight's order, as int8 bytes compressed with DEFLATE (RFC 1951).
type LayerWeights struct {
	Layer string `json:"layer"`
	Delta []byte `json:"delta"`
}

// Range is the calibrated range of one float activation tensor.
type Range struct {
	Tensor string  `json:"tensor"`
	Min    float32 `json:"min"`
	Max    float32 `json:"max"`
}

// MetricReport is what accuracy-aware quantization measured on its data.
type MetricReport struct {
	// Name is "accuracy" (with labels) or "top-1 agreement" (with the
	// float32 model).
	Name     string  `json:"name"`
	Inputs   int     `json:"inputs"`
	FP32     float64 `json:"fp32"`
	Initial  float64 `json:"initial"`
	Final    float64 `json:"final"`
	MaxDrop  float64 `json:"max_drop"`
	Layers   int     `json:"layers"`
	Reverted int     `json:"reverted"`
}

// Cluster returns the calibration of cluster id, or nil.
func (p *Plan) Cluster(id int) *ClusterPlan {
	if p == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(p.Clusters, id, func(c ClusterPlan, id int) int { return c.ID - id })
	if !ok {
		return nil
	}
	return &p.Clusters[i]
}

// ranges returns the cluster's ranges by tensor.
func (c *ClusterPlan) ranges() map[string]Range {
	out := make(map[string]Range)
	if c == nil {
		return out
	}
	for _, r := range c.Ranges {
		out[r.Tensor] = r
	}
	return out
}

// Validate checks a plan: a known format, mode and method, clusters in
// ascending ID order, ranges sorted by tensor, finite, min ≤ 0 ≤ max
// widened as quantization needs, and no range or reverted layer named
// twice.
func (p *Plan) Validate() error {
	if p == nil {
		return fmt.Errorf("%w: no plan", ErrPlan)
	}
	if p.Format != Format {
		return fmt.Errorf("%w: format %q, want %q", ErrPlan, p.Format, Format)
	}
	if _, err := ParseMode(string(p.Mode)); err != nil {
		return err
	}
	if p.Method != "" {
		if _, err := ParseMethod(string(p.Method)); err != nil {
			return err
		}
	}
	if p.Rounding != "" {
		if _, err := ParseRounding(string(p.Rounding)); err != nil {
			return err
		}
	}
	if p.Mode != Int8 && (len(p.Clusters) > 0 || p.Method != "" || p.Rounding != "") {
		return fmt.Errorf("%w: mode %s takes no calibration", ErrPlan, p.Mode)
	}
	if strings.Contains(p.Model, "..") || strings.HasPrefix(p.Model, "/") || strings.ContainsRune(p.Model, '\\') {
		return fmt.Errorf("%w: model path %q must stay inside the folder", ErrPlan, p.Model)
	}
	for i, c := range p.Clusters {
		if c.ID < 0 || (i > 0 && c.ID <= p.Clusters[i-1].ID) {
			return fmt.Errorf("%w: cluster ids must be ascending and non-negative (cluster %d)", ErrPlan, c.ID)
		}
		for j, r := range c.Ranges {
			if r.Tensor == "" || (j > 0 && r.Tensor <= c.Ranges[j-1].Tensor) {
				return fmt.Errorf("%w: cluster %d: ranges must be sorted by tensor, each named once (%q)", ErrPlan, c.ID, r.Tensor)
			}
			if !finite(r.Min) || !finite(r.Max) || r.Min > r.Max {
				return fmt.Errorf("%w: cluster %d: tensor %q: range [%g, %g]", ErrPlan, c.ID, r.Tensor, r.Min, r.Max)
			}
		}
		if len(c.Weights) > 0 && p.Rounding != GPTQ {
			return fmt.Errorf("%w: cluster %d: rounded weights need rounding %q", ErrPlan, c.ID, GPTQ)
		}
		for j, w := range c.Weights {
			if w.Layer == "" || (j > 0 && w.Layer <= c.Weights[j-1].Layer) || len(w.Delta) == 0 {
				return fmt.Errorf("%w: cluster %d: weights must be sorted by layer, each named once, and not empty (%q)", ErrPlan, c.ID, w.Layer)
			}
		}
	}
	seen := make(map[string]bool, len(p.Reverted))
	for _, name := range p.Reverted {
		if name == "" || seen[name] {
			return fmt.Errorf("%w: reverted layer %q empty or named twice", ErrPlan, name)
		}
		seen[name] = true
	}
	return nil
}

func finite[F float32 | float64](f F) bool {
	return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0)
}

// ParsePlan decodes and validates a manifest. Unknown fields are errors,
// so a manifest from a newer format is not half understood.
func ParsePlan(data []byte) (*Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPlan, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the manifest", ErrPlan)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Marshal encodes a plan as indented JSON: the same plan gives the same
// bytes.
func (p *Plan) Marshal() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("quantize: encoding the plan: %w", err)
	}
	return append(data, '\n'), nil
}
