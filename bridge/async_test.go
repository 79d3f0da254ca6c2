package bridge

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/tensor"
)

// fixtureInput is a distinct [1, 4] input of the fixture MLP for each i.
func fixtureInput(i int) map[string]*tensor.Tensor {
	f := float32(i)
	return map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{f, -f / 2, 1 / (f + 1), 3 - f})}
}

// TestRunAsyncConcurrentWithRun: requests started by RunAsync and plain
// Runs from other goroutines, all at once on one offloaded session, each
// give the executor's answer for their own input (run with -race).
func TestRunAsyncConcurrentWithRun(t *testing.T) {
	enginetest.Require(t)
	const path = "../testdata/models/mlp.pb"
	s, err := LoadSession(path, WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false), WithRequests(2))
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, 2, s.Requests())
	ref, err := LoadSession(path, WithOffload(false))
	require.NoError(t, err)
	ctx := context.Background()
	const n = 24
	want := make([]*tensor.Tensor, n)
	for i := range want {
		out, err := ref.Run(ctx, fixtureInput(i), []string{"probs"})
		require.NoError(t, err)
		want[i] = out[0]
	}
	reqs := make([]*Request, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		if i%3 == 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := s.Run(ctx, fixtureInput(i), []string{"probs"})
				if err == nil {
					err = tensor.Compare(out[0], want[i], tensor.Tolerance{RTol: 1e-5, ATol: 1e-6})
				}
				errs[i] = err
			}()
			continue
		}
		reqs[i] = s.RunAsync(ctx, fixtureInput(i), []string{"probs"})
	}
	wg.Wait()
	for i, r := range reqs {
		if r == nil {
			assert.NoError(t, errs[i], "Run %d", i)
			continue
		}
		<-r.Done()
		out, err := r.Wait()
		require.NoError(t, err, "request %d", i)
		assert.NoError(t, tensor.Compare(out[0], want[i], tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}), "request %d", i)
	}
}

func TestRunAsyncErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("no session", func(t *testing.T) {
		var s *Session
		_, err := s.RunAsync(ctx, nil, nil).Wait()
		assert.ErrorIs(t, err, ErrNoSession)
		_, err = (&Session{}).RunAsync(ctx, nil, nil).Wait()
		assert.ErrorIs(t, err, ErrNoSession)
		assert.Zero(t, s.Requests())
	})
	s, err := LoadSession("../testdata/models/mlp.pb", WithOffload(false), WithRequests(1))
	require.NoError(t, err)
	t.Run("cancelled before it starts", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := s.RunAsync(cctx, fixtureInput(1), []string{"probs"}).Wait()
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("closed", func(t *testing.T) {
		require.NoError(t, s.Close())
		_, err := s.RunAsync(ctx, fixtureInput(1), []string{"probs"}).Wait()
		assert.ErrorIs(t, err, ErrClosed)
	})
	t.Run("negative requests", func(t *testing.T) {
		_, err := LoadSession("../testdata/models/mlp.pb", WithOffload(false), WithRequests(-1))
		assert.ErrorContains(t, err, "WithRequests(-1)")
	})
}

// TestRunAsyncWaitsForASlot: with one request allowed, a second request
// waits while the first holds the slot and leaves with its context's
// error when that ends first.
func TestRunAsyncWaitsForASlot(t *testing.T) {
	s, err := LoadSession("../testdata/models/mlp.pb", WithOffload(false), WithRequests(1))
	require.NoError(t, err)
	defer s.Close()
	s.slots <- struct{}{} // a request in flight
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := s.RunAsync(ctx, fixtureInput(1), []string{"probs"})
	_, err = r.Wait()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	<-s.slots
	out, err := s.RunAsync(context.Background(), fixtureInput(1), []string{"probs"}).Wait()
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{1, 3}, out[0].Shape())
}

func TestThreadSplit(t *testing.T) {
	cpus := runtime.NumCPU()
	assert.Equal(t, cpus, intraOpThreads(1))
	assert.Equal(t, max(1, cpus/2), intraOpThreads(2))
	assert.Equal(t, 1, intraOpThreads(cpus+1))
	assert.GreaterOrEqual(t, AutoRequests(), 2)
	assert.LessOrEqual(t, AutoRequests(), 8)
}

// BenchmarkAsyncNSFW measures MobileNetV2's throughput offloaded with 1,
// 2 and 4 requests in flight (WithRequests splits the cores between
// them); images/s is the figure to compare:
//
//	go test -run XXX -bench AsyncNSFW -benchtime 40x ./bridge
func BenchmarkAsyncNSFW(b *testing.B) {
	enginetest.Require(b)
	shared := testutil.SharedModels(b)
	spec := testmodels.Models[0]
	m, err := graph.Load(filepath.Join(shared, spec.Path))
	require.NoError(b, err)
	img, err := testmodels.LoadImage(filepath.Join(shared, "images", "grace_hopper.jpg"), spec.Image, spec.DType)
	require.NoError(b, err)
	feeds := map[string]*tensor.Tensor{spec.Input: img}
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("requests=%d", n), func(b *testing.B) {
			s, err := NewSession(m, WithBackend("CPU"), WithOffload(true), WithDynamicFallback(false), WithRequests(n))
			require.NoError(b, err)
			defer s.Close()
			ctx := context.Background()
			_, err = s.Run(ctx, feeds, []string{spec.Output}) // compile
			require.NoError(b, err)
			b.ResetTimer()
			reqs := make([]*Request, 0, b.N)
			for range b.N {
				reqs = append(reqs, s.RunAsync(ctx, feeds, []string{spec.Output}))
			}
			for _, r := range reqs {
				if _, err := r.Wait(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
