package serve

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/tfoffload/tfoffload/tensor"
)

// runFunc runs a signature on feeds in the signature's input order and
// returns its outputs in the requested order.
type runFunc func(ctx context.Context, feeds []*tensor.Tensor) ([]*tensor.Tensor, error)

// task is one request waiting in a batcher's queue.
type task struct {
	ctx   context.Context
	feeds []*tensor.Tensor
	rows  int
	done  chan taskResult // buffered: the worker never blocks on it
}

type taskResult struct {
	outs []*tensor.Tensor
	err  error
}

// batcher merges concurrent requests for one signature (and one output
// list) along dimension 0, as TensorFlow Serving's batching session does:
// a batch closes when it holds MaxBatchSize rows, when BatchTimeout has
// passed since its first request, or when the next request's shapes do
// not fit it; it runs padded to an allowed batch size; NumBatchThreads
// workers run batches. The queue holds at
// most MaxEnqueuedBatches × MaxBatchSize requests; a request beyond that
// is refused at once with ResourceExhausted instead of waiting.
type batcher struct {
	model   string
	cfg     BatchingConfig
	run     runFunc
	queue   chan *task
	quit    chan struct{}
	wg      sync.WaitGroup
	observe func(rows int) // records each merged run's size
	sizes   []int          // allowed batch sizes, increasing
}

func newBatcher(model string, cfg BatchingConfig, run runFunc, observe func(int)) *batcher {
	b := &batcher{model: model, cfg: cfg, run: run, observe: observe, sizes: cfg.batchSizes(),
		queue: make(chan *task, cfg.MaxEnqueuedBatches*cfg.MaxBatchSize), quit: make(chan struct{})}
	for range cfg.NumBatchThreads {
		b.wg.Go(b.work)
	}
	return b
}

// batchable reports whether feeds can be merged with others: every feed
// has a batch dimension.
func batchable(feeds []*tensor.Tensor) bool {
	if len(feeds) == 0 {
		return false
	}
	for _, f := range feeds {
		if f.Rank() == 0 || f.Shape()[0] != feeds[0].Shape()[0] {
			return false
		}
	}
	return true
}

// submit queues feeds and waits for their outputs or ctx.
func (b *batcher) submit(ctx context.Context, feeds []*tensor.Tensor) ([]*tensor.Tensor, error) {
	t := &task{ctx: ctx, feeds: feeds, rows: feeds[0].Shape()[0], done: make(chan taskResult, 1)}
	select {
	case b.queue <- t:
	default:
		return nil, errorf(ErrResourceExhausted, "model %s: the batching queue is full (%d requests waiting); retry later", b.model, cap(b.queue))
	}
	select {
	case r := <-t.done:
		return r.outs, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop ends the workers. Only called once no request can submit.
func (b *batcher) stop() {
	close(b.quit)
	b.wg.Wait()
}

func (b *batcher) work() {
	var carry *task
	for {
		first := carry
		carry = nil
		if first == nil {
			select {
			case first = <-b.queue:
			case <-b.quit:
				return
			}
		}
		batch, rows := []*task{first}, first.rows
		timer := time.NewTimer(b.cfg.BatchTimeout)
	collect:
		for rows < b.cfg.MaxBatchSize {
			select {
			case t := <-b.queue:
				if rows+t.rows > b.cfg.MaxBatchSize || !compatible(first.feeds, t.feeds) {
					carry = t
					break collect
				}
				batch, rows = append(batch, t), rows+t.rows
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		b.process(batch)
	}
}

// compatible reports whether two requests' feeds can share a batch: the
// same dtypes and the same shapes after dimension 0.
func compatible(a, b []*tensor.Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].DType() != b[i].DType() || !a[i].Shape()[1:].Equal(b[i].Shape()[1:]) {
			return false
		}
	}
	return true
}

// process runs a batch and hands each request its rows of the outputs.
// Requests whose context ended while queued are answered without running.
func (b *batcher) process(batch []*task) {
	live := batch[:0]
	for _, t := range batch {
		if err := t.ctx.Err(); err != nil {
			t.done <- taskResult{err: err}
			continue
		}
		live = append(live, t)
	}
	if len(live) == 0 {
		return
	}
	rows := make([]int, len(live))
	total := 0
	for i, t := range live {
		rows[i] = t.rows
		total += t.rows
	}
	size := b.paddedSize(total)
	if len(live) == 1 && size == total {
		b.observe(total)
		outs, err := b.run(live[0].ctx, live[0].feeds)
		live[0].done <- taskResult{outs, err}
		return
	}
	if size > total {
		rows = append(rows, size-total) // the padding, cut off the outputs
	}
	merged := make([]*tensor.Tensor, len(live[0].feeds))
	for i := range merged {
		parts := make([]*tensor.Tensor, 0, len(live)+1)
		for _, t := range live {
			parts = append(parts, t.feeds[i])
		}
		var err error
		if merged[i], err = concat0(parts, total, size); err != nil {
			b.each(live, err)
			return
		}
	}
	b.observe(total)
	// The merged run outlives any one request's cancellation; each request
	// still stops waiting at its own deadline.
	outs, err := b.run(context.WithoutCancel(live[0].ctx), merged)
	if err != nil {
		// One bad request must not fail the others: run each alone.
		b.each(live, nil)
		return
	}
	split := make([][]*tensor.Tensor, len(live))
	for _, o := range outs {
		parts, err := split0(o, rows)
		if err != nil {
			// An output without the batch dimension cannot be split back.
			b.each(live, nil)
			return
		}
		for j := range live {
			split[j] = append(split[j], parts[j])
		}
	}
	for j, t := range live {
		t.done <- taskResult{outs: split[j]}
	}
}

// each answers every task with err, or when err is nil, runs each alone.
func (b *batcher) each(tasks []*task, err error) {
	for _, t := range tasks {
		if err != nil {
			t.done <- taskResult{err: err}
			continue
		}
		b.observe(t.rows)
		outs, err := b.run(t.ctx, t.feeds)
		t.done <- taskResult{outs, err}
	}
}

// paddedSize is the allowed batch size a batch of rows runs at: the
// smallest that holds it, or rows itself when none does (a request larger
// than MaxBatchSize runs alone, unpadded).
func (b *batcher) paddedSize(rows int) int {
	for _, n := range b.sizes {
		if n >= rows {
			return n
		}
	}
	return rows
}

// concat0 joins tensors of one dtype and equal trailing shape along
// dimension 0 (total rows), then pads to size rows with copies of the
// first row.
func concat0(parts []*tensor.Tensor, total, size int) (*tensor.Tensor, error) {
	shape := append(tensor.Shape{size}, parts[0].Shape()[1:]...)
	out, err := tensor.New(parts[0].DType(), shape)
	if err != nil {
		return nil, fmt.Errorf("merging a batch of %d rows: %w", size, err)
	}
	dst := reflect.ValueOf(out.Data())
	off := 0
	for _, p := range parts {
		off += reflect.Copy(dst.Slice(off, dst.Len()), reflect.ValueOf(p.Data()))
	}
	if per := shape[1:].NumElements(); size > total && per > 0 {
		first := reflect.ValueOf(parts[0].Data()).Slice(0, per)
		for ; off < dst.Len(); off += per {
			reflect.Copy(dst.Slice(off, off+per), first)
		}
	}
	return out, nil
}

// split0 cuts t along dimension 0 into pieces of the given row counts.
func split0(t *tensor.Tensor, rows []int) ([]*tensor.Tensor, error) {
	total := 0
	for _, r := range rows {
		total += r
	}
	if t.Rank() == 0 || t.Shape()[0] != total {
		return nil, fmt.Errorf("output %v has no batch dimension of %d", t.Shape(), total)
	}
	per := 1
	for _, d := range t.Shape()[1:] {
		per *= d
	}
	src := reflect.ValueOf(t.Data())
	out := make([]*tensor.Tensor, len(rows))
	off := 0
	for i, r := range rows {
		shape := append(tensor.Shape{r}, t.Shape()[1:]...)
		p, err := tensor.New(t.DType(), shape)
		if err != nil {
			return nil, err
		}
		reflect.Copy(reflect.ValueOf(p.Data()), src.Slice(off*per, (off+r)*per))
		off += r
		out[i] = p
	}
	return out, nil
}
