package engine

/*
#include <stdlib.h>
#include "ort.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"unsafe"

	"go.uber.org/multierr"

	"github.com/tfoffload/tfoffload/tensor"
)

// OptLevel is ONNX Runtime's graph optimization level. The zero value
// keeps ONNX Runtime's default, which enables every optimization.
type OptLevel int

// The graph optimization levels.
const (
	OptDefault  OptLevel = iota // ONNX Runtime's default (same as OptAll)
	OptDisabled                 // no graph optimizations
	OptBasic                    // semantics-preserving rewrites such as constant folding
	OptExtended                 // plus complex node fusions
	OptAll                      // plus layout optimizations
)

var optLevelNames = [...]string{"default", "disabled", "basic", "extended", "all"}

// String returns the level's name ("basic").
func (l OptLevel) String() string {
	if l >= 0 && int(l) < len(optLevelNames) {
		return optLevelNames[l]
	}
	return fmt.Sprintf("OptLevel(%d)", int(l))
}

// ort returns the C API's GraphOptimizationLevel.
func (l OptLevel) ort() (int, error) {
	switch l {
	case OptDefault, OptAll:
		return 99, nil // ORT_ENABLE_ALL
	case OptDisabled:
		return 0, nil
	case OptBasic:
		return 1, nil
	case OptExtended:
		return 2, nil
	}
	return 0, fmt.Errorf("engine: unknown optimization level %d", int(l))
}

// Provider names an ONNX Runtime execution provider, as ONNX Runtime lists
// them ("CPUExecutionProvider", "CUDAExecutionProvider",
// "TensorrtExecutionProvider", "OpenVINOExecutionProvider",
// "DmlExecutionProvider", "CoreMLExecutionProvider", ...), with its
// provider options (for example OpenVINO's "device_type": "GPU").
type Provider struct {
	Name    string
	Options map[string]string
}

// CPUProvider is the name of ONNX Runtime's CPU execution provider, which
// every session has as its last resort whether listed or not.
const CPUProvider = "CPUExecutionProvider"

// providerKinds says which C API call appends a provider; other names go
// through the generic SessionOptionsAppendExecutionProvider under the short
// names that call accepts.
var (
	providerKinds = map[string]C.int{
		"CUDAExecutionProvider":     C.TFO_EP_CUDA,
		"TensorrtExecutionProvider": C.TFO_EP_TENSORRT,
		"OpenVINOExecutionProvider": C.TFO_EP_OPENVINO,
	}
	genericProviderNames = map[string]string{
		"DmlExecutionProvider":     "DML",
		"CoreMLExecutionProvider":  "CoreML",
		"XnnpackExecutionProvider": "XNNPACK",
		"QNNExecutionProvider":     "QNN",
		"SNPEExecutionProvider":    "SNPE",
		"WebGpuExecutionProvider":  "WebGPU",
		"AzureExecutionProvider":   "AZURE",
		"VitisAIExecutionProvider": "VitisAI",
	}
)

// SessionOptions configures NewSession. The zero value gives ONNX
// Runtime's defaults on the CPU.
type SessionOptions struct {
	// IntraOpThreads is the size of the thread pool that parallelizes
	// inside one op. With 0 (and InterOpThreads 0, spinning on), the
	// session shares the process-wide pool (one thread per physical core)
	// with every other such session; any other setting gives the session
	// pools of its own.
	IntraOpThreads int
	// InterOpThreads is the size of the pool that runs independent ops
	// concurrently; 0 lets ONNX Runtime choose. A value above 1 also turns
	// on ONNX Runtime's parallel execution mode, without which the pool is
	// unused.
	InterOpThreads int
	// OptLevel is the graph optimization level.
	OptLevel OptLevel
	// Providers are the execution providers to use, most preferred first.
	// The CPU provider is always there last; listing it is allowed and
	// changes nothing.
	Providers []Provider
	// DisableSpinning stops the thread pools from busy-waiting for work
	// between ops, which saves CPU when runs are sparse at some latency
	// cost.
	DisableSpinning bool
	// OptimizedModelPath, when set, is where creating the session writes
	// the model as ONNX Runtime optimized it (fused kernels included): it
	// shows which kernels will run.
	OptimizedModelPath string
}

// IOInfo describes one model input or output as ONNX Runtime reports it.
type IOInfo struct {
	Name  string
	DType tensor.DType
	// Shape holds the declared dimensions; -1 marks a dynamic one. ONNX
	// Runtime reports an input or output of unknown rank as rank 0, so an
	// empty Shape means "scalar or unknown".
	Shape []int64
}

// Session is a compiled ONNX model. It owns its ONNX Runtime session, which
// Close frees. Run is safe for concurrent use from many goroutines; Close
// waits for runs in flight to finish.
type Session struct {
	mu       sync.RWMutex // Run holds it shared, Close exclusively
	memo     shapeMemo
	h        *C.OrtSession
	inNames  cStrings
	outNames cStrings
	inputs   []IOInfo
	outputs  []IOInfo
	inTypes  []C.int // ONNX element type of each input
	closed   bool
}

// NewSession compiles an ONNX model (the serialized ModelProto) into a
// session, loading ONNX Runtime first if needed (see Init). The model's
// inputs and outputs must all be tensors of types tensor.DType can hold.
// The model bytes are not retained. The caller must Close the session.
func NewSession(model []byte, opts SessionOptions) (*Session, error) {
	if len(model) == 0 {
		return nil, errors.New("engine: create session: the model is empty")
	}
	if opts.IntraOpThreads < 0 || opts.InterOpThreads < 0 {
		return nil, fmt.Errorf("engine: create session: negative thread count (intra-op %d, inter-op %d)",
			opts.IntraOpThreads, opts.InterOpThreads)
	}
	level, err := opts.OptLevel.ort()
	if err != nil {
		return nil, err
	}
	if err := Init(); err != nil {
		return nil, err
	}

	var o *C.OrtSessionOptions
	parallel, spin := 0, 1
	if opts.InterOpThreads > 1 {
		parallel = 1
	}
	if opts.DisableSpinning {
		spin = 0
	}
	st := C.tfo_new_session_options(C.int(opts.IntraOpThreads), C.int(opts.InterOpThreads),
		C.int(level), C.int(parallel), C.int(spin), &o)
	if err := statusError("create session options", st); err != nil {
		return nil, err
	}
	defer C.tfo_release_session_options(o)
	if opts.OptimizedModelPath != "" {
		path := C.CString(opts.OptimizedModelPath)
		st := C.tfo_set_optimized_model_path(o, path)
		C.free(unsafe.Pointer(path))
		if err := statusError("set the optimized model path", st); err != nil {
			return nil, err
		}
	}
	for _, p := range opts.Providers {
		if err := appendProvider(o, p); err != nil {
			return nil, err
		}
	}

	s := &Session{}
	st = C.tfo_create_session(unsafe.Pointer(&model[0]), C.size_t(len(model)), o, &s.h)
	if err := statusError("create session", st); err != nil {
		return nil, err
	}
	if err := s.describe(); err != nil {
		return nil, multierr.Append(err, s.Close())
	}
	return s, nil
}

// appendProvider adds one execution provider to the session options.
func appendProvider(o *C.OrtSessionOptions, p Provider) error {
	if p.Name == CPUProvider {
		if len(p.Options) > 0 {
			return fmt.Errorf("engine: %s takes no provider options", CPUProvider)
		}
		return nil
	}
	kind, ok := providerKinds[p.Name]
	if !ok {
		kind = C.TFO_EP_GENERIC
	}
	name := p.Name
	if short, ok := genericProviderNames[p.Name]; ok {
		name = short
	}
	keys := make([]string, 0, len(p.Options))
	for k := range p.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	values := make([]string, len(keys))
	for i, k := range keys {
		values[i] = p.Options[k]
	}
	ck, cv := newCStrings(keys), newCStrings(values)
	defer ck.free()
	defer cv.free()
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	st := C.tfo_append_provider(o, kind, cname, ck.ptr, cv.ptr, C.size_t(len(keys)))
	return statusError("append provider "+p.Name, st)
}

// describe reads the session's inputs and outputs and checks that engine
// can carry them.
func (s *Session) describe() error {
	var nin, nout C.size_t
	if err := statusError("describe session", C.tfo_session_io_count(s.h, &nin, &nout)); err != nil {
		return err
	}
	s.inputs = make([]IOInfo, nin)
	s.outputs = make([]IOInfo, nout)
	s.inTypes = make([]C.int, nin)
	for i := range s.inputs {
		t, err := s.ioInfo(false, i, &s.inputs[i])
		if err != nil {
			return err
		}
		s.inTypes[i] = C.int(t)
	}
	for i := range s.outputs {
		if _, err := s.ioInfo(true, i, &s.outputs[i]); err != nil {
			return err
		}
	}
	s.inNames = newCStrings(ioNames(s.inputs))
	s.outNames = newCStrings(ioNames(s.outputs))
	return nil
}

func ioNames(infos []IOInfo) []string {
	names := make([]string, len(infos))
	for i, info := range infos {
		names[i] = info.Name
	}
	return names
}

var onnxTypeNames = map[int]string{2: "sequence", 3: "map", 4: "opaque", 5: "sparse tensor", 6: "optional"}

// ioInfo fills dst for input or output i and returns its ONNX element type.
func (s *Session) ioInfo(isOutput bool, i int, dst *IOInfo) (int, error) {
	kind, op := "input", "describe input"
	out := C.int(0)
	if isOutput {
		kind, op, out = "output", "describe output", 1
	}
	var (
		name           *C.char
		onnxType, elem C.int
		ndims          C.size_t
		dims           = make([]int64, maxStackDims)
	)
	for {
		st := C.tfo_session_io_info(s.h, out, C.size_t(i), &name, &onnxType, &elem,
			(*C.int64_t)(unsafe.Pointer(&dims[0])), C.size_t(len(dims)), &ndims)
		if err := statusError(op, st); err != nil {
			return 0, err
		}
		dst.Name = C.GoString(name)
		C.free(unsafe.Pointer(name))
		if int(ndims) <= len(dims) {
			break
		}
		dims = make([]int64, ndims)
	}
	if onnxType != C.TFO_ONNX_TYPE_TENSOR {
		what := onnxTypeNames[int(onnxType)]
		if what == "" {
			what = fmt.Sprintf("ONNX type %d", int(onnxType))
		}
		return 0, fmt.Errorf("%w: %s %d %q is a %s; engine carries tensors only", ErrUnsupported, kind, i, dst.Name, what)
	}
	dt, err := dtypeFromONNX(int(elem))
	if err != nil {
		return 0, fmt.Errorf("%s %d %q: %w", kind, i, dst.Name, err)
	}
	dst.DType = dt
	dst.Shape = append([]int64{}, dims[:ndims]...)
	return int(elem), nil
}

// Inputs describes the model's inputs, in the order Run takes them (none
// for a nil Session). The caller must not modify the result.
func (s *Session) Inputs() []IOInfo {
	if s == nil {
		return nil
	}
	return s.inputs
}

// Outputs describes the model's outputs, in the order Run returns them
// (none for a nil Session). The caller must not modify the result.
func (s *Session) Outputs() []IOInfo {
	if s == nil {
		return nil
	}
	return s.outputs
}

// Close frees the ONNX Runtime session after any runs in flight have
// finished. It is idempotent, and does nothing on a nil or zero Session;
// later Runs fail with ErrClosed.
func (s *Session) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	C.tfo_release_session(s.h)
	s.h = nil
	s.inNames.free()
	s.outNames.free()
	return nil
}
