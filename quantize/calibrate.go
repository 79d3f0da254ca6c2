package quantize

import (
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
	"google.golang.org/protobuf/proto"
)

// histBins is the resolution of the histogram of absolute values that
// the percentile and entropy methods read.
const histBins = 2048

// percentile is the share of absolute values the Percentile method keeps
// inside the range.
const percentile = 0.9999

// stats accumulates what calibration saw of one tensor: its extremes and
// a histogram of absolute values over [0, width·histBins), whose bins
// double in width (pairs merge) when a larger value arrives.
type stats struct {
	min, max float32
	width    float64
	hist     [histBins]float64
	count    int
}

func (s *stats) add(vals []float32) {
	for _, v := range vals {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			continue
		}
		if s.count == 0 {
			s.min, s.max = v, v
		}
		s.count++
		s.min, s.max = min(s.min, v), max(s.max, v)
		a := math.Abs(float64(v))
		if a == 0 {
			// Exact zeros (half of a Relu's output) say nothing about
			// where to clip and would pull the entropy method's
			// threshold down.
			continue
		}
		if s.width == 0 {
			s.width = a / (histBins / 2)
		}
		for a >= s.width*histBins {
			s.grow()
		}
		s.hist[int(a/s.width)]++
	}
}

// grow doubles the bins' width.
func (s *stats) grow() {
	for i := 0; i < histBins/2; i++ {
		s.hist[i] = s.hist[2*i] + s.hist[2*i+1]
	}
	clear(s.hist[histBins/2:])
	s.width *= 2
}

// minHistogramValues is how many values a tensor needs before the
// percentile and entropy methods trust its histogram; with fewer they
// take min/max.
const minHistogramValues = 2 * histBins

// threshold is the absolute value the method clips at.
func (s *stats) threshold(m Method) float64 {
	top := math.Max(math.Abs(float64(s.min)), math.Abs(float64(s.max)))
	if s.width == 0 || s.count < minHistogramValues {
		return top
	}
	switch m {
	case Percentile:
		total := 0.0
		for _, c := range s.hist {
			total += c
		}
		seen := 0.0
		for i, c := range s.hist {
			seen += c
			if seen >= percentile*total {
				return math.Min(top, float64(i+1)*s.width)
			}
		}
	case Entropy:
		return math.Min(top, float64(entropyBins(s.hist[:]))*s.width)
	}
	return top
}

func (s *stats) rangeFor(name string, m Method) Range {
	t := float32(s.threshold(m))
	return Range{Tensor: name, Min: max(s.min, -t), Max: min(s.max, t)}
}

// entropyBins returns the number of histogram bins to keep: the one whose
// clipped distribution, quantized to 128 levels, differs least from the
// original in Kullback-Leibler divergence (the calibration of NVIDIA's
// TensorRT, "8-bit Inference with TensorRT", 2017).
func entropyBins(hist []float64) int {
	const levels = 128
	best, bestKL := len(hist), math.Inf(1)
	p := make([]float64, len(hist))
	q := make([]float64, len(hist))
	for i := levels; i <= len(hist); i++ {
		copy(p, hist[:i])
		outliers := 0.0
		for _, c := range hist[i:] {
			outliers += c
		}
		p[i-1] += outliers
		// Quantize hist[:i] (without the outliers) into levels bins,
		// then spread each bin's mass evenly over the source bins that
		// were not empty.
		clear(q[:i])
		for j := range levels {
			lo, hi := j*i/levels, (j+1)*i/levels
			sum, nonzero := 0.0, 0
			for k := lo; k < hi; k++ {
				sum += hist[k]
				if hist[k] != 0 {
					nonzero++
				}
			}
			for k := lo; k < hi; k++ {
				if hist[k] != 0 {
					q[k] = sum / float64(nonzero)
				}
			}
		}
		if kl := divergence(p[:i], q[:i]); kl < bestKL {
			best, bestKL = i, kl
		}
	}
	return best
}

func divergence(p, q []float64) float64 {
	sp, sq := 0.0, 0.0
	for i := range p {
		sp += p[i]
		sq += q[i]
	}
	if sp == 0 || sq == 0 {
		return math.Inf(1)
	}
	const eps = 1e-4
	kl := 0.0
	for i := range p {
		if p[i] == 0 {
			continue
		}
		pi, qi := p[i]/sp, max(q[i]/sq, eps)
		kl += pi * math.Log(pi/qi)
	}
	return kl
}

// Calibrator accumulates the values of each cluster's activations over
// the calibration inputs and turns them into ranges, and, with GPTQ
// rounding, the covariance of each weighted layer's inputs, which it
// turns into rounded weights. It is not safe for concurrent use.
type Calibrator struct {
	method   Method
	rounding Rounding
	clusters map[int]map[string]*stats
	// inputs holds, per cluster and activation, the covariances of the
	// weighted layers that read it (after Watch).
	inputs map[int]map[string][]*covariance
	memory int // bytes the covariances take
}

// NewCalibrator returns a calibrator using method and rounding ("" is
// GPTQ).
func NewCalibrator(method Method, rounding Rounding) (*Calibrator, error) {
	if _, err := ParseMethod(string(method)); err != nil {
		return nil, err
	}
	if rounding == "" {
		rounding = GPTQ
	}
	if _, err := ParseRounding(string(rounding)); err != nil {
		return nil, err
	}
	return &Calibrator{method: method, rounding: rounding, clusters: make(map[int]map[string]*stats),
		inputs: make(map[int]map[string][]*covariance)}, nil
}

// Watch shows the calibrator a cluster's model, before Observe, so that
// with GPTQ it records the inputs of the cluster's weighted layers, in
// graph order while their covariances fit in 1 GiB. Layers it cannot
// record (too many inputs, beyond the memory, a geometry it does not
// know) round to nearest.
func (c *Calibrator) Watch(cluster int, m *onnxpb.ModelProto) {
	if c.rounding != GPTQ || c.inputs[cluster] != nil {
		return
	}
	byInput := make(map[string][]*covariance)
	ix := newIndex(m.GetGraph())
	for _, l := range layers(ix) {
		if cov, ok := newCovariance(ix, l); ok && c.memory+cov.bytes() <= gptqMemory {
			c.memory += cov.bytes()
			byInput[l.acts[0]] = append(byInput[l.acts[0]], cov)
		}
	}
	c.inputs[cluster] = byInput
}

// Add records one run's value of a cluster's activation. Only float32
// tensors count.
func (c *Calibrator) Add(cluster int, name string, t *tensor.Tensor) {
	c.AddRun(cluster, []string{name}, []*tensor.Tensor{t})
}

// AddRun records one run's values of a cluster's activations: ts[i] is
// the value of names[i] ("" skips it; names beyond ts are ignored). The
// weighted layers' covariances, most of the work, are updated in
// parallel.
func (c *Calibrator) AddRun(cluster int, names []string, ts []*tensor.Tensor) {
	type update struct {
		cov *covariance
		t   *tensor.Tensor
	}
	var updates []update
	for i, name := range names[:min(len(names), len(ts))] {
		t := ts[i]
		if name == "" || t == nil || t.DType() != tensor.Float32 {
			continue
		}
		m := c.clusters[cluster]
		if m == nil {
			m = make(map[string]*stats)
			c.clusters[cluster] = m
		}
		s := m[name]
		if s == nil {
			s = &stats{}
			m[name] = s
		}
		s.add(tensor.Values[float32](t))
		for _, cov := range c.inputs[cluster][name] {
			updates = append(updates, update{cov, t})
		}
	}
	parallel(len(updates), func(i int) { updates[i].cov.add(updates[i].t) })
}

// parallel calls f(0..n-1) on as many goroutines as there are CPUs.
func parallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// Plan returns an Int8 plan holding every range seen, clusters by ID and
// ranges by tensor name, and with GPTQ the rounded weights of every
// layer whose inputs it saw; progress, when not nil, is told of each
// layer rounded.
func (c *Calibrator) Plan(progress func(done, total int)) (*Plan, error) {
	p := &Plan{Format: Format, Mode: Int8, Method: c.method, Rounding: c.rounding}
	for _, id := range slices.Sorted(maps.Keys(c.clusters)) {
		cp := ClusterPlan{ID: id}
		m := c.clusters[id]
		for _, name := range slices.Sorted(maps.Keys(m)) {
			if m[name].count > 0 {
				cp.Ranges = append(cp.Ranges, m[name].rangeFor(name, c.method))
			}
		}
		p.Clusters = append(p.Clusters, cp)
	}
	// Round each layer on its own, in parallel, into its cluster's plan
	// in layer order.
	type job struct {
		cov     *covariance
		cluster int // index in p.Clusters
		weights LayerWeights
		err     error
	}
	var jobs []job
	for i, cp := range p.Clusters {
		var cs []*covariance
		for _, byInput := range c.inputs[cp.ID] {
			for _, cov := range byInput {
				if cov.count > 0 {
					cs = append(cs, cov)
				}
			}
		}
		slices.SortFunc(cs, func(a, b *covariance) int { return strings.Compare(a.layer, b.layer) })
		for _, cov := range cs {
			jobs = append(jobs, job{cov: cov, cluster: i})
		}
	}
	var mu sync.Mutex
	done := 0
	parallel(len(jobs), func(i int) {
		jobs[i].weights, jobs[i].err = jobs[i].cov.rounding()
		if progress != nil {
			mu.Lock()
			defer mu.Unlock()
			done++
			progress(done, len(jobs))
		}
	})
	for _, j := range jobs {
		if j.err != nil {
			return nil, fmt.Errorf("calibration: layer %s: %w", j.cov.layer, j.err)
		}
		p.Clusters[j.cluster].Weights = append(p.Clusters[j.cluster].Weights, j.weights)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("calibration: %w", err)
	}
	return p, nil
}

// Observe adds the activations CalibrationTensors names to m's outputs
// (through Identity nodes, so inputs and existing outputs can be read
// too) and returns, for each of m's outputs in order, the activation it
// holds ("" for m's own outputs).
func Observe(m *onnxpb.ModelProto) []string {
	g := m.GetGraph()
	ix := newIndex(g)
	names := make([]string, len(g.GetOutput()))
	for _, t := range CalibrationTensors(m) {
		out := ix.fresh(t + "/calibration")
		g.Node = append(g.Node, node("Identity", ix.fresh(t+"/calibration/Identity"), []string{t}, []string{out}))
		g.Output = append(g.Output, &onnxpb.ValueInfoProto{Name: proto.String(out), Type: &onnxpb.TypeProto{
			Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT))}}}})
		names = append(names, t)
	}
	return names
}
