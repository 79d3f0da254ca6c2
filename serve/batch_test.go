package serve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// TestBatchingMergesRequests sends concurrent single-row requests with
// batching on: every answer is its own row's, and the model ran fewer
// times than there were requests (merged batches in the histogram).
func TestBatchingMergesRequests(t *testing.T) {
	cfg := BatchingConfig{MaxBatchSize: 8, BatchTimeout: 500 * time.Millisecond, MaxEnqueuedBatches: 4, NumBatchThreads: 1}
	r := start(t, Config{Models: []ModelConfig{{Name: "m", BasePath: modelBase(t, halfPlusTwo)}}, Batching: &cfg})
	const clients = 16
	var wg sync.WaitGroup
	errs := make(chan string, clients)
	for i := range clients {
		wg.Go(func() {
			code, body := r.do(t, "POST", "/v1/models/m:predict", fmt.Sprintf(`{"instances": [[%d.0], [%d.0]]}`, 2*i, 2*i+1))
			want := fmt.Sprintf(`{"predictions":[[%s],[%s]]}`, formatJSONNumber(float64(i)+2, true, 32), formatJSONNumber(float64(i)+2.5, true, 32))
			if code != 200 || body != want {
				errs <- fmt.Sprintf("client %d: %d %s, want %s", i, code, body, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	_, metrics := r.do(t, "GET", "/metrics", "")
	var count, sum float64
	for _, line := range strings.Split(metrics, "\n") {
		fmt.Sscanf(line, `tfoffload_serve_batch_size_count{model="m"} %g`, &count)
		fmt.Sscanf(line, `tfoffload_serve_batch_size_sum{model="m"} %g`, &sum)
	}
	assert.Equal(t, float64(2*clients), sum, "rows run")
	assert.Less(t, count, float64(clients), "runs: some requests must have been merged")
	t.Logf("%d requests ran in %g model runs", clients, count)
}

// blockingRun is a model run that waits for release and doubles its input.
type blockingRun struct {
	started chan int
	release chan struct{}
	fail    func(feeds []*tensor.Tensor) bool
}

func (b *blockingRun) run(_ context.Context, feeds []*tensor.Tensor) ([]*tensor.Tensor, error) {
	b.started <- feeds[0].Shape()[0]
	<-b.release
	if b.fail != nil && b.fail(feeds) {
		return nil, errors.New("bad row")
	}
	in := tensor.Values[float32](feeds[0])
	out := make([]float32, len(in))
	for i, v := range in {
		out[i] = 2 * v
	}
	return []*tensor.Tensor{tensor.MustFromSlice(feeds[0].Shape(), out)}, nil
}

func rows(vals ...float32) []*tensor.Tensor {
	return []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{len(vals)}, vals)}
}

// TestBatcherQueueFull: with the queue full, a request is refused at once
// with ResourceExhausted instead of waiting.
func TestBatcherQueueFull(t *testing.T) {
	br := &blockingRun{started: make(chan int, 8), release: make(chan struct{})}
	b := newBatcher("m", BatchingConfig{MaxBatchSize: 1, BatchTimeout: time.Millisecond, MaxEnqueuedBatches: 1, NumBatchThreads: 1}, br.run, func(int) {})
	defer b.stop()
	var wg sync.WaitGroup
	results := make(chan error, 2)
	wg.Go(func() { _, err := b.submit(context.Background(), rows(1)); results <- err })
	<-br.started // the worker holds the first request
	wg.Go(func() { _, err := b.submit(context.Background(), rows(2)); results <- err })
	require.Eventually(t, func() bool { return len(b.queue) == 1 }, 5*time.Second, time.Millisecond)

	_, err := b.submit(context.Background(), rows(3))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrResourceExhausted)
	assert.Equal(t, 503, httpStatus(errorCode(err)))

	close(br.release)
	wg.Wait()
	close(results)
	for err := range results {
		assert.NoError(t, err)
	}
}

// TestBatcherIsolatesFailures: when a merged run fails, each request runs
// alone, so only the bad one fails.
func TestBatcherIsolatesFailures(t *testing.T) {
	br := &blockingRun{started: make(chan int, 16), release: make(chan struct{}),
		fail: func(feeds []*tensor.Tensor) bool {
			for _, v := range tensor.Values[float32](feeds[0]) {
				if v < 0 {
					return true
				}
			}
			return false
		}}
	close(br.release)
	b := newBatcher("m", BatchingConfig{MaxBatchSize: 8, BatchTimeout: 200 * time.Millisecond, MaxEnqueuedBatches: 2, NumBatchThreads: 1}, br.run, func(int) {})
	defer b.stop()
	var wg sync.WaitGroup
	got := make([][]float32, 3)
	errs := make([]error, 3)
	for i, in := range [][]float32{{1, 2}, {-1}, {3}} {
		wg.Go(func() {
			outs, err := b.submit(context.Background(), rows(in...))
			errs[i] = err
			if err == nil {
				got[i] = tensor.Values[float32](outs[0])
			}
		})
	}
	wg.Wait()
	assert.NoError(t, errs[0])
	assert.Error(t, errs[1])
	assert.NoError(t, errs[2])
	assert.Equal(t, []float32{2, 4}, got[0])
	assert.Equal(t, []float32{6}, got[2])
	first := <-br.started
	assert.Equal(t, 4, first, "the three requests were merged first")
}

func TestConcatSplit(t *testing.T) {
	a := tensor.MustFromSlice(tensor.Shape{1, 2}, []string{"a", "b"})
	b := tensor.MustFromSlice(tensor.Shape{2, 2}, []string{"c", "d", "e", "f"})
	m, err := concat0([]*tensor.Tensor{a, b}, 3, 4)
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{4, 2}, m.Shape())
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "a", "b"}, tensor.Values[string](m), "padded with the first row")
	parts, err := split0(m, []int{1, 2, 1})
	require.NoError(t, err)
	assert.Equal(t, tensor.Values[string](a), tensor.Values[string](parts[0]))
	assert.Equal(t, b.Shape(), parts[1].Shape())
	assert.Equal(t, tensor.Values[string](b), tensor.Values[string](parts[1]))
	_, err = split0(tensor.MustFromSlice(tensor.Shape{2}, []float32{1, 2}), []int{1, 2})
	assert.Error(t, err, "an output without the batch dimension")
}

// TestBatcherPads: three one-row requests run as one batch padded to the
// allowed size 4, and each gets only its own row back.
func TestBatcherPads(t *testing.T) {
	br := &blockingRun{started: make(chan int, 4), release: make(chan struct{})}
	close(br.release)
	var observed []int
	var mu sync.Mutex
	b := newBatcher("m", BatchingConfig{MaxBatchSize: 6, BatchTimeout: 200 * time.Millisecond, MaxEnqueuedBatches: 2, NumBatchThreads: 1}, br.run,
		func(n int) { mu.Lock(); observed = append(observed, n); mu.Unlock() })
	defer b.stop()
	b.sizes = []int{1, 2, 4, 6}
	var wg sync.WaitGroup
	got := make([][]float32, 3)
	for i := range 3 {
		wg.Go(func() {
			outs, err := b.submit(context.Background(), rows(float32(i+1)))
			if assert.NoError(t, err) {
				got[i] = tensor.Values[float32](outs[0])
			}
		})
	}
	wg.Wait()
	assert.Equal(t, [][]float32{{2}, {4}, {6}}, got)
	assert.Equal(t, 4, <-br.started, "the model ran one padded batch")
	assert.Equal(t, []int{3}, observed, "the histogram counts real rows")

	assert.Equal(t, 5, (&batcher{sizes: []int{2, 5}}).paddedSize(3))
	assert.Equal(t, 9, (&batcher{sizes: []int{2, 5}}).paddedSize(9), "larger than the largest runs unpadded")
	_, err := ParseBatchingParameters([]byte(`max_batch_size { value: 8 } allowed_batch_sizes: 2 allowed_batch_sizes: 4`))
	assert.ErrorIs(t, err, ErrConfig, "must end with max_batch_size")
	cfg, err := ParseBatchingParameters([]byte(`max_batch_size { value: 8 } allowed_batch_sizes: 2 allowed_batch_sizes: 8`))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 8}, cfg.batchSizes())

	for max, want := range map[int][]int{
		1:   {1},
		6:   {1, 2, 3, 4, 5, 6},
		16:  {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		32:  {1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 32},
		100: {1, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 91, 98, 100},
	} {
		got := BatchingConfig{MaxBatchSize: max}.batchSizes()
		assert.Equal(t, want, got, "max_batch_size %d", max)
		assert.LessOrEqual(t, len(got), maxDefaultBatchSizes)
	}
}
