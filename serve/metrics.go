package serve

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Histogram bucket bounds.
var (
	latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	batchBuckets   = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}
)

// histogram is a Prometheus histogram: cumulative counts written at scrape.
type histogram struct {
	counts []uint64 // per bucket, not cumulative; last is +Inf
	sum    float64
	n      uint64
}

func (h *histogram) add(bounds []float64, v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(bounds)+1)
	}
	i, _ := slices.BinarySearch(bounds, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

// metrics holds the server's counters and histograms, written in the
// Prometheus text exposition format (version 0.0.4) by write.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // model, method, code
	errors   map[[2]string]uint64 // model, kind
	latency  map[[2]string]*histogram
	batches  map[string]*histogram
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, errors: map[[2]string]uint64{},
		latency: map[[2]string]*histogram{}, batches: map[string]*histogram{}}
}

// request records one finished request.
func (m *metrics) request(model, method, code string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{model, method, code}]++
	if code != "OK" {
		m.errors[[2]string{model, code}]++
	}
	h := m.latency[[2]string{model, method}]
	if h == nil {
		h = &histogram{}
		m.latency[[2]string{model, method}] = h
	}
	h.add(latencyBuckets, d.Seconds())
}

// errorKind counts an error outside requests ("load": a version failed to
// load or its base path could not be read).
func (m *metrics) errorKind(kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors[[2]string{"", kind}]++
}

// batchSize returns the function a model's batchers report run sizes to.
func (m *metrics) batchSize(model string) func(int) {
	return func(rows int) {
		m.mu.Lock()
		defer m.mu.Unlock()
		h := m.batches[model]
		if h == nil {
			h = &histogram{}
			m.batches[model] = h
		}
		h.add(batchBuckets, float64(rows))
	}
}

// gauge is one sample of a gauge computed at scrape time.
type gauge struct {
	labels string
	value  float64
}

// write writes every metric, series sorted by labels; gauges holds the
// scrape-time gauges by name with their help text.
func (m *metrics) write(w io.Writer, gauges map[string][]gauge, help map[string]string) error {
	var b strings.Builder
	m.mu.Lock()
	b.WriteString("# HELP tfoffload_serve_requests_total Requests answered, by model, method and status code.\n# TYPE tfoffload_serve_requests_total counter\n")
	for _, k := range sortedKeys(m.requests, func(k [3]string) string { return strings.Join(k[:], "\x00") }) {
		fmt.Fprintf(&b, "tfoffload_serve_requests_total{model=%s,method=%s,code=%s} %d\n", quote(k[0]), quote(k[1]), quote(k[2]), m.requests[k])
	}
	b.WriteString("# HELP tfoffload_serve_errors_total Errors by model and kind (a status code, or load for a version that failed to load).\n# TYPE tfoffload_serve_errors_total counter\n")
	for _, k := range sortedKeys(m.errors, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		fmt.Fprintf(&b, "tfoffload_serve_errors_total{model=%s,kind=%s} %d\n", quote(k[0]), quote(k[1]), m.errors[k])
	}
	b.WriteString("# HELP tfoffload_serve_request_duration_seconds Request latency, by model and method.\n# TYPE tfoffload_serve_request_duration_seconds histogram\n")
	for _, k := range sortedKeys(m.latency, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		writeHistogram(&b, "tfoffload_serve_request_duration_seconds", fmt.Sprintf("model=%s,method=%s", quote(k[0]), quote(k[1])), latencyBuckets, m.latency[k])
	}
	b.WriteString("# HELP tfoffload_serve_batch_size Rows per model run when batching is on (merged requests count together).\n# TYPE tfoffload_serve_batch_size histogram\n")
	for _, k := range slices.Sorted(maps.Keys(m.batches)) {
		writeHistogram(&b, "tfoffload_serve_batch_size", "model="+quote(k), batchBuckets, m.batches[k])
	}
	m.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(gauges)) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help[name], name)
		for _, g := range gauges[name] {
			fmt.Fprintf(&b, "%s{%s} %s\n", name, g.labels, formatFloat(g.value))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHistogram(b *strings.Builder, name, labels string, bounds []float64, h *histogram) {
	var cum uint64
	for i, le := range bounds {
		cum += h.counts[i]
		fmt.Fprintf(b, "%s_bucket{%s,le=%q} %d\n", name, labels, formatFloat(le), cum)
	}
	cum += h.counts[len(bounds)]
	fmt.Fprintf(b, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, cum)
	fmt.Fprintf(b, "%s_sum{%s} %s\n", name, labels, formatFloat(h.sum))
	fmt.Fprintf(b, "%s_count{%s} %d\n", name, labels, h.n)
}

func sortedKeys[K comparable, V any](m map[K]V, key func(K) string) []K {
	ks := slices.Collect(maps.Keys(m))
	slices.SortFunc(ks, func(a, b K) int { return strings.Compare(key(a), key(b)) })
	return ks
}

// quote writes a label value as the exposition format escapes it.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
