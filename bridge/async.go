package bridge

import (
	"context"
	"fmt"
	"runtime"

	"github.com/tfoffload/tfoffload/tensor"
)

// WithRequests sets how many inferences RunAsync keeps in flight at once
// (n at least 1; 0 chooses automatically, see AutoRequests) and splits
// the machine's cores between them: each ONNX Runtime session of the
// model gets max(1, NumCPU/n) intra-op threads, unless WithEngineOptions
// sets IntraOpThreads, which wins. Without this option RunAsync admits
// AutoRequests requests and the thread pools are left as they are.
func WithRequests(n int) Option { return func(c *config) { c.requests = &n } }

// AutoRequests returns the number of requests in flight WithRequests(0)
// chooses: one per core, at least 2 and at most 8, each with one intra-op
// thread. Requests of one thread never wait on each other's threads, and
// the ops of a CPU model at batch 1 are mostly too small to split well:
// on MobileNetV2 on 2 cores, 2 to 4 one-thread requests gave 2 to 4 times
// the images/s of one request with two threads (README, Measuring).
func AutoRequests() int { return min(max(runtime.NumCPU(), 2), 8) }

// intraOpThreads returns the intra-op threads for requests in flight.
func intraOpThreads(requests int) int { return max(1, runtime.NumCPU()/requests) }

// Request is one inference started by RunAsync.
type Request struct {
	done chan struct{}
	out  []*tensor.Tensor
	err  error
}

// Done is closed when the request has finished.
func (r *Request) Done() <-chan struct{} { return r.done }

// Wait blocks until the request has finished and returns what Run would
// have.
func (r *Request) Wait() ([]*tensor.Tensor, error) {
	<-r.done
	return r.out, r.err
}

// Requests returns how many inferences RunAsync keeps in flight at once.
func (s *Session) Requests() int {
	if s == nil || s.slots == nil {
		return 0
	}
	return cap(s.slots)
}

// RunAsync starts Run on feeds and fetches and returns at once; Wait
// gives the result. At most Requests() requests run at a time, the
// others wait their turn (or until ctx is done, which ends them with its
// error). Neither feeds nor their tensors may change until the request is
// done. RunAsync is safe for concurrent use with itself and with Run;
// Close waits for requests that are running, and requests that had not
// started get ErrClosed.
func (s *Session) RunAsync(ctx context.Context, feeds map[string]*tensor.Tensor, fetches []string) *Request {
	r := &Request{done: make(chan struct{})}
	if s == nil || s.model == nil || s.slots == nil {
		r.err = ErrNoSession
		close(r.done)
		return r
	}
	if err := ctx.Err(); err != nil {
		r.err = fmt.Errorf("bridge: request not started: %w", err)
		close(r.done)
		return r
	}
	go func() {
		defer close(r.done)
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			r.err = fmt.Errorf("bridge: request not started: %w", ctx.Err())
			return
		}
		defer func() { <-s.slots }()
		r.out, r.err = s.Run(ctx, feeds, fetches)
	}()
	return r
}
