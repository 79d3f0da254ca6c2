package engine

/*
#include <stdlib.h>
#include "ort.h"
*/
import "C"

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/tfoffload/tfoffload/tensor"
)

// Run runs the model on inputs, given in Inputs() order, and returns the
// outputs in Outputs() order as new tensors that the caller owns; no ONNX
// Runtime memory outlives the call.
//
// Inputs are checked against the model (count, dtype, rank and static
// dimensions) before ONNX Runtime sees them; a mismatch wraps
// ErrInvalidInput and names the input. Fixed-size tensors (numbers, bool,
// float16, bfloat16, complex) are handed to ONNX Runtime without copying;
// ONNX Runtime only reads them. String tensors are copied into ONNX Runtime
// string tensors.
//
// Output shapes need not be known in advance. The first run with given
// input shapes lets ONNX Runtime allocate the outputs and copies them into
// Go tensors; later runs with the same input shapes have ONNX Runtime write
// fixed-size outputs straight into new Go tensors of the shapes seen before.
// If such a run fails (an output's shape depends on input values, not just
// shapes), Run reruns it the first way and stops predicting for those input
// shapes.
//
// Cancelling ctx stops the run at the next op boundary: Run then returns an
// error that wraps ctx.Err(). Errors from ONNX Runtime are *Error values.
// Run is safe for concurrent use.
func (s *Session) Run(ctx context.Context, inputs []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("engine: run: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || s.h == nil {
		return nil, fmt.Errorf("engine: run: %w", ErrClosed)
	}
	if err := s.checkInputs(inputs); err != nil {
		return nil, err
	}

	var pin runtime.Pinner
	defer pin.Unpin()
	ins, strs, err := s.wrapInputs(&pin, inputs)
	defer releaseValues(strs)
	if err != nil {
		return nil, err
	}

	ro, stopWatch, err := watchContext(ctx)
	if err != nil {
		return nil, err
	}
	defer stopWatch()

	var keyBuf [128]byte
	key := shapeKey(keyBuf[:0], inputs)
	var preset []*tensor.Tensor
	if shapes := s.memo.lookup(key); shapes != nil {
		preset = s.newOutputs(shapes)
	}
	outs := make([]*C.OrtValue, len(s.outputs))
	defer releaseValues(outs)
	err = s.runOnce(&pin, ro, ins, preset, outs)
	if err != nil && preset != nil && ctx.Err() == nil {
		// The predicted shapes may be wrong for these input values.
		s.memo.markUnstable(key)
		releaseValues(outs)
		preset = nil
		err = s.runOnce(&pin, ro, ins, nil, outs)
	}
	runtime.KeepAlive(inputs)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("engine: run cancelled: %w (%w)", ctx.Err(), err)
		}
		return nil, err
	}

	results := make([]*tensor.Tensor, len(outs))
	for i, v := range outs {
		if preset != nil && preset[i] != nil && wroteInto(v, preset[i]) {
			results[i] = preset[i]
			continue
		}
		t, err := tensorFromValue(v)
		if err != nil {
			return nil, fmt.Errorf("engine: output %d %q: %w", i, s.outputs[i].Name, err)
		}
		results[i] = t
	}
	if preset == nil {
		s.memo.store(key, results)
	}
	return results, nil
}

// wrapInputs describes the inputs for tfo_run: fixed-size tensors by their
// (pinned) Go memory, strings as ONNX Runtime string tensors, which the
// caller releases.
func (s *Session) wrapInputs(pin *runtime.Pinner, inputs []*tensor.Tensor) ([]C.tfo_input, []*C.OrtValue, error) {
	ins := make([]C.tfo_input, len(inputs))
	var strs []*C.OrtValue
	dims := pinnedDims(pin, inputs)
	for i, t := range inputs {
		in := &ins[i]
		d := dims[:t.Rank()]
		dims = dims[t.Rank():]
		describe(pin, in, d, t)
		in.elem_type = s.inTypes[i]
		if t.DType() == tensor.String {
			v, err := newStringValue(d, t.Data().([]string))
			if err != nil {
				return nil, strs, fmt.Errorf("input %d %q: %w", i, s.inputs[i].Name, err)
			}
			strs = append(strs, v)
			in.value = v
		}
	}
	return ins, strs, nil
}

// pinnedDims returns the dimensions of all ts laid end to end, as int64,
// in memory pinned for the call.
func pinnedDims(pin *runtime.Pinner, ts []*tensor.Tensor) []int64 {
	n := 0
	for _, t := range ts {
		if t != nil {
			n += t.Rank()
		}
	}
	dims := make([]int64, 0, n)
	for _, t := range ts {
		if t != nil {
			for _, d := range t.Shape() {
				dims = append(dims, int64(d))
			}
		}
	}
	if n > 0 {
		pin.Pin(&dims[0])
	}
	return dims
}

// describe points in at t's pinned memory and at dims, t's shape. String
// tensors get no data pointer.
func describe(pin *runtime.Pinner, in *C.tfo_input, dims []int64, t *tensor.Tensor) {
	if len(dims) > 0 {
		in.dims = (*C.int64_t)(unsafe.Pointer(&dims[0]))
	}
	in.ndims = C.size_t(len(dims))
	if b := t.Bytes(); len(b) > 0 {
		p := unsafe.Pointer(&b[0])
		pin.Pin(p)
		in.data = p
		in.len = C.size_t(len(b))
	}
}

// newOutputs allocates the Go tensors ONNX Runtime is to write the
// fixed-size outputs into; string outputs stay nil. It returns nil when no
// output is fixed-size.
func (s *Session) newOutputs(shapes []tensor.Shape) []*tensor.Tensor {
	preset := make([]*tensor.Tensor, len(s.outputs))
	some := false
	for i, info := range s.outputs {
		if info.DType.FixedSize() {
			t, err := tensor.New(info.DType, shapes[i])
			if err != nil {
				return nil // cannot happen: the shapes came from real tensors
			}
			preset[i], some = t, true
		}
	}
	if !some {
		return nil
	}
	return preset
}

// runOnce calls tfo_run. preset, when not nil, holds the Go tensors that
// fixed-size outputs are written into; outs receives the output values.
func (s *Session) runOnce(pin *runtime.Pinner, ro *C.OrtRunOptions, ins []C.tfo_input, preset []*tensor.Tensor, outs []*C.OrtValue) error {
	var specs []C.tfo_input
	if preset != nil {
		specs = make([]C.tfo_input, len(preset))
		dims := pinnedDims(pin, preset)
		for i, t := range preset {
			if t == nil {
				continue
			}
			d := dims[:t.Rank()]
			dims = dims[t.Rank():]
			describe(pin, &specs[i], d, t)
			elem, _ := tensor.ONNXType(t.DType()) // preset outputs have engine dtypes
			specs[i].elem_type = C.int(elem)
		}
	}
	st := C.tfo_run(s.h, ro, s.inNames.ptr, first(ins), C.size_t(len(ins)),
		s.outNames.ptr, first(specs), C.size_t(len(outs)), first(outs))
	return statusError("run", st)
}

// wroteInto reports whether output value v is the wrapper of t's memory
// that runOnce handed to ONNX Runtime, as the C API promises for
// preallocated outputs. Should a build ever swap in a value of its own,
// Run copies from that instead.
func wroteInto(v *C.OrtValue, t *tensor.Tensor) bool {
	b := t.Bytes()
	if len(b) == 0 {
		return true
	}
	var (
		onnxType, elem C.int
		ndims, count   C.size_t
		data           unsafe.Pointer
		dims           [maxStackDims]int64
	)
	st := C.tfo_value_info(v, &onnxType, &elem, (*C.int64_t)(unsafe.Pointer(&dims[0])),
		C.size_t(len(dims)), &ndims, &count, &data)
	if st != nil {
		C.tfo_release_status(st)
		return false
	}
	return data == unsafe.Pointer(&b[0])
}

// first returns a pointer to xs[0], or nil for an empty slice.
func first[T any](xs []T) *T {
	if len(xs) == 0 {
		return nil
	}
	return &xs[0]
}

// releaseValues releases ONNX Runtime values and clears the slice.
func releaseValues(vs []*C.OrtValue) {
	if len(vs) > 0 {
		C.tfo_release_values(&vs[0], C.size_t(len(vs)))
	}
}

// watchContext returns the run options that cancelling ctx terminates, and
// a function that stops watching; it must be called before the run options
// are released, which it does. A context that cannot be cancelled needs no
// run options (nil).
func watchContext(ctx context.Context) (*C.OrtRunOptions, func(), error) {
	done := ctx.Done()
	if done == nil {
		return nil, func() {}, nil
	}
	var ro *C.OrtRunOptions
	if err := statusError("create run options", C.tfo_new_run_options(&ro)); err != nil {
		return nil, nil, err
	}
	stop, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-done:
			// The status can only report a nil ro, which cannot happen.
			if st := C.tfo_terminate(ro); st != nil {
				C.tfo_release_status(st)
			}
		case <-stop:
		}
	}()
	return ro, func() {
		close(stop)
		<-exited
		C.tfo_release_run_options(ro)
	}, nil
}

// checkInputs validates inputs against the model's declared inputs.
func (s *Session) checkInputs(inputs []*tensor.Tensor) error {
	if len(inputs) != len(s.inputs) {
		return fmt.Errorf("%w: got %d inputs, the model takes %d (%s)",
			ErrInvalidInput, len(inputs), len(s.inputs), strings.Join(ioNames(s.inputs), ", "))
	}
	for i, t := range inputs {
		want := s.inputs[i]
		if t == nil {
			return fmt.Errorf("%w: input %d %q is nil", ErrInvalidInput, i, want.Name)
		}
		if t.DType() != want.DType {
			return fmt.Errorf("%w: input %d %q has dtype %v, the model wants %v",
				ErrInvalidInput, i, want.Name, t.DType(), want.DType)
		}
		// A declared rank of 0 may mean "unknown rank" (see IOInfo.Shape);
		// ONNX Runtime checks those itself.
		if len(want.Shape) == 0 {
			continue
		}
		shape := t.Shape()
		if len(shape) != len(want.Shape) {
			return fmt.Errorf("%w: input %d %q has shape %v (rank %d), the model wants rank %d %s",
				ErrInvalidInput, i, want.Name, shape, len(shape), len(want.Shape), formatDims(want.Shape))
		}
		for k, d := range want.Shape {
			if d >= 0 && int64(shape[k]) != d {
				return fmt.Errorf("%w: input %d %q has shape %v, the model wants %s",
					ErrInvalidInput, i, want.Name, shape, formatDims(want.Shape))
			}
		}
	}
	return nil
}

// formatDims prints declared dimensions with "?" for dynamic ones.
func formatDims(dims []int64) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		if d < 0 {
			parts[i] = "?"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// maxMemoEntries bounds a session's shape memo; when full it starts over.
const maxMemoEntries = 64

// shapeMemo remembers, per input-shape key, the output shapes a run
// produced, or that they proved unpredictable. It is safe for concurrent
// use.
type shapeMemo struct {
	mu sync.Mutex
	m  map[string]memoEntry
}

type memoEntry struct {
	shapes   []tensor.Shape // nil when unstable
	unstable bool
}

// shapeKey appends an encoding of the inputs' shapes to buf.
func shapeKey(buf []byte, inputs []*tensor.Tensor) []byte {
	for _, t := range inputs {
		buf = binary.AppendUvarint(buf, uint64(t.Rank()))
		for _, d := range t.Shape() {
			buf = binary.AppendUvarint(buf, uint64(d))
		}
	}
	return buf
}

// lookup returns the output shapes recorded for key, or nil.
func (m *shapeMemo) lookup(key []byte) []tensor.Shape {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[string(key)].shapes
}

// store records the shapes of outs for key unless key proved unstable.
func (m *shapeMemo) store(key []byte, outs []*tensor.Tensor) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[string(key)]; ok && (e.unstable || e.shapes != nil) {
		return
	}
	shapes := make([]tensor.Shape, len(outs))
	for i, t := range outs {
		shapes[i] = t.Shape().Clone()
	}
	m.put(key, memoEntry{shapes: shapes})
}

// markUnstable stops predictions for key.
func (m *shapeMemo) markUnstable(key []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, memoEntry{unstable: true})
}

func (m *shapeMemo) put(key []byte, e memoEntry) {
	if m.m == nil || len(m.m) >= maxMemoEntries {
		m.m = make(map[string]memoEntry)
	}
	m.m[string(key)] = e
}

// newStringValue builds an ONNX Runtime string tensor holding ss.
func newStringValue(dims []int64, ss []string) (*C.OrtValue, error) {
	total := 0
	for _, s := range ss {
		total += len(s)
	}
	buf := make([]byte, 0, total)
	lens := make([]C.size_t, len(ss))
	for i, s := range ss {
		buf = append(buf, s...)
		lens[i] = C.size_t(len(s))
	}
	var (
		dimsPtr *C.int64_t
		bufPtr  *C.char
		lensPtr *C.size_t
		v       *C.OrtValue
	)
	if len(dims) > 0 {
		dimsPtr = (*C.int64_t)(unsafe.Pointer(&dims[0]))
	}
	if len(buf) > 0 {
		bufPtr = (*C.char)(unsafe.Pointer(&buf[0]))
	}
	if len(lens) > 0 {
		lensPtr = &lens[0]
	}
	st := C.tfo_new_string_tensor(dimsPtr, C.size_t(len(dims)), bufPtr, lensPtr, C.size_t(len(ss)), &v)
	if err := statusError("create string tensor", st); err != nil {
		return nil, err
	}
	return v, nil
}

// tensorFromValue copies an output value into a new Go-owned tensor.
func tensorFromValue(v *C.OrtValue) (*tensor.Tensor, error) {
	var (
		onnxType, elem C.int
		ndims, count   C.size_t
		data           unsafe.Pointer
		stack          [maxStackDims]int64
		dims           = stack[:]
	)
	for {
		st := C.tfo_value_info(v, &onnxType, &elem, (*C.int64_t)(unsafe.Pointer(&dims[0])),
			C.size_t(len(dims)), &ndims, &count, &data)
		if err := statusError("read output", st); err != nil {
			return nil, err
		}
		if int(ndims) <= len(dims) {
			break
		}
		dims = make([]int64, ndims)
	}
	if onnxType != C.TFO_ONNX_TYPE_TENSOR {
		return nil, fmt.Errorf("%w: ONNX Runtime returned a non-tensor value (ONNX type %d)", ErrUnsupported, int(onnxType))
	}
	dt, err := dtypeFromONNX(int(elem))
	if err != nil {
		return nil, err
	}
	shape, err := tensor.ShapeFromInt64s(dims[:ndims])
	if err != nil {
		return nil, err
	}
	if dt == tensor.String {
		ss, err := stringsFromValue(v, int(count))
		if err != nil {
			return nil, err
		}
		return tensor.FromSlice(shape, ss)
	}
	t, err := tensor.New(dt, shape)
	if err != nil {
		return nil, err
	}
	if b := t.Bytes(); len(b) > 0 {
		copy(b, unsafe.Slice((*byte)(data), len(b)))
	}
	return t, nil
}

// stringsFromValue copies the n strings of a string tensor.
func stringsFromValue(v *C.OrtValue, n int) ([]string, error) {
	ss := make([]string, n)
	if n == 0 {
		return ss, nil
	}
	var total C.size_t
	if err := statusError("read string output", C.tfo_string_data_length(v, &total)); err != nil {
		return nil, err
	}
	buf := make([]byte, total)
	offsets := make([]C.size_t, n)
	var bufPtr unsafe.Pointer
	if total > 0 {
		bufPtr = unsafe.Pointer(&buf[0])
	}
	st := C.tfo_string_content(v, bufPtr, total, &offsets[0], C.size_t(n))
	if err := statusError("read string output", st); err != nil {
		return nil, err
	}
	for i := range ss {
		end := int(total)
		if i+1 < n {
			end = int(offsets[i+1])
		}
		ss[i] = string(buf[offsets[i]:end])
	}
	return ss, nil
}
