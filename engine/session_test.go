package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
	"google.golang.org/protobuf/proto"
)

// identityModel is y = Identity(x) for one dtype, with every dimension
// symbolic so that one model serves any shape of the given rank.
func identityModel(t testing.TB, elem onnxpb.TensorProto_DataType, rank int) []byte {
	dims := make([]any, rank)
	for i := range dims {
		dims[i] = fmt.Sprintf("d%d", i)
	}
	return newGraph(16).
		input("x", elem, dims...).
		output("y", elem, dims...).
		node("Identity", []string{"x"}, []string{"y"}).
		bytes(t)
}

// sampleTensor returns a tensor of dt and shape with varied values,
// including the awkward ones (NaN, -0, infinities, extreme integers,
// strings with NUL bytes).
func sampleTensor(t testing.TB, dt tensor.DType, shape tensor.Shape) *tensor.Tensor {
	n := shape.NumElements()
	floats := []float64{1.5, -0.0, math.Inf(1), math.NaN(), -3.25, 65504, 1e-3, math.Inf(-1)}
	var data any
	switch dt {
	case tensor.Float32:
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(floats[i%len(floats)])
		}
		data = v
	case tensor.Float64:
		v := make([]float64, n)
		for i := range v {
			v[i] = floats[i%len(floats)] * 1.000000001
		}
		data = v
	case tensor.Float16:
		v := make([]tensor.F16, n)
		for i := range v {
			v[i] = tensor.NewF16(float32(floats[i%len(floats)]))
		}
		data = v
	case tensor.BFloat16:
		v := make([]tensor.BF16, n)
		for i := range v {
			v[i] = tensor.NewBF16(float32(floats[i%len(floats)]))
		}
		data = v
	case tensor.Int8:
		data = ints[int8](n, math.MinInt8, math.MaxInt8)
	case tensor.Int16:
		data = ints[int16](n, math.MinInt16, math.MaxInt16)
	case tensor.Int32:
		data = ints[int32](n, math.MinInt32, math.MaxInt32)
	case tensor.Int64:
		data = ints[int64](n, math.MinInt64, math.MaxInt64)
	case tensor.Uint8:
		data = ints[uint8](n, 0, math.MaxUint8)
	case tensor.Uint16:
		data = ints[uint16](n, 0, math.MaxUint16)
	case tensor.Uint32:
		data = ints[uint32](n, 0, math.MaxUint32)
	case tensor.Uint64:
		data = ints[uint64](n, 0, math.MaxUint64)
	case tensor.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = i%3 == 0
		}
		data = v
	case tensor.String:
		words := []string{"", "héllo", "a\x00b", "TensorFlow", "\xff\xfe not utf-8"}
		v := make([]string, n)
		for i := range v {
			v[i] = words[i%len(words)]
		}
		data = v
	case tensor.Complex64:
		v := make([]complex64, n)
		for i := range v {
			v[i] = complex(float32(i), -float32(i)/2)
		}
		data = v
	case tensor.Complex128:
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(float64(i)/3, -float64(i))
		}
		data = v
	default:
		t.Fatalf("no sample data for %v", dt)
	}
	out, err := tensor.FromAny(dt, shape, data)
	require.NoError(t, err)
	return out
}

// ints cycles through small values and the type's extremes.
func ints[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](n int, lo, hi T) []T {
	vals := []T{lo, hi, 0, 1, 7, hi - 1}
	v := make([]T, n)
	for i := range v {
		v[i] = vals[i%len(vals)]
	}
	return v
}

func TestIdentityRoundTrip(t *testing.T) {
	requireORT(t)
	dtypes := []struct {
		dt   tensor.DType
		elem onnxpb.TensorProto_DataType
	}{
		{tensor.Float32, onnxpb.TensorProto_FLOAT},
		{tensor.Float64, onnxpb.TensorProto_DOUBLE},
		{tensor.Float16, onnxpb.TensorProto_FLOAT16},
		{tensor.BFloat16, onnxpb.TensorProto_BFLOAT16},
		{tensor.Int8, onnxpb.TensorProto_INT8},
		{tensor.Int16, onnxpb.TensorProto_INT16},
		{tensor.Int32, onnxpb.TensorProto_INT32},
		{tensor.Int64, onnxpb.TensorProto_INT64},
		{tensor.Uint8, onnxpb.TensorProto_UINT8},
		{tensor.Uint16, onnxpb.TensorProto_UINT16},
		{tensor.Uint32, onnxpb.TensorProto_UINT32},
		{tensor.Uint64, onnxpb.TensorProto_UINT64},
		{tensor.Bool, onnxpb.TensorProto_BOOL},
		{tensor.String, onnxpb.TensorProto_STRING},
	}
	shapes := []tensor.Shape{{}, {1}, {7}, {2, 3}, {0}, {2, 0, 3}, {2, 3, 4, 5}}
	for _, d := range dtypes {
		t.Run(d.dt.String(), func(t *testing.T) {
			sessions := map[int]*Session{}
			t.Cleanup(func() {
				for _, s := range sessions {
					assert.NoError(t, s.Close())
				}
			})
			for _, shape := range shapes {
				t.Run("shape"+shape.String(), func(t *testing.T) {
					s := sessions[shape.Rank()]
					if s == nil {
						var err error
						s, err = NewSession(identityModel(t, d.elem, shape.Rank()), SessionOptions{})
						require.NoError(t, err)
						sessions[shape.Rank()] = s
					}
					require.Equal(t, d.dt, s.Inputs()[0].DType)
					in := sampleTensor(t, d.dt, shape)
					// The first run lets ONNX Runtime allocate the output;
					// the second has it write into a Go tensor of the shape
					// the first produced.
					var prev *tensor.Tensor
					for run := range 2 {
						outs, err := s.Run(context.Background(), []*tensor.Tensor{in})
						require.NoError(t, err, "run %d", run)
						require.Len(t, outs, 1)
						assert.Equal(t, d.dt, outs[0].DType())
						assert.Equal(t, shape, outs[0].Shape())
						assert.NoError(t, tensor.Compare(outs[0], in, tensor.Tolerance{}), "run %d", run)
						if d.dt.FixedSize() && shape.NumElements() > 0 {
							// Each output is a fresh Go tensor, not ONNX
							// Runtime's memory, the input's or the last one's.
							assert.NotSame(t, &in.Bytes()[0], &outs[0].Bytes()[0])
							if prev != nil {
								assert.NotSame(t, &prev.Bytes()[0], &outs[0].Bytes()[0])
							}
						}
						prev = outs[0]
					}
				})
			}
		})
	}
}

// ONNX Runtime (through 1.30 at least) has no complex tensor type at all:
// a model with complex inputs fails to load with ONNX Runtime's own error.
// Engine maps complex64/complex128 all the same, so they work wherever an
// ONNX Runtime build does support them.
func TestComplex(t *testing.T) {
	requireORT(t)
	for _, tc := range []struct {
		dt   tensor.DType
		elem onnxpb.TensorProto_DataType
	}{
		{tensor.Complex64, onnxpb.TensorProto_COMPLEX64},
		{tensor.Complex128, onnxpb.TensorProto_COMPLEX128},
	} {
		t.Run(tc.dt.String(), func(t *testing.T) {
			s, err := NewSession(identityModel(t, tc.elem, 1), SessionOptions{})
			if err != nil {
				var oe *Error
				require.ErrorAs(t, err, &oe)
				assert.Contains(t, oe.Msg, tc.dt.String())
				return
			}
			defer s.Close()
			in := sampleTensor(t, tc.dt, tensor.Shape{5})
			outs, err := s.Run(context.Background(), []*tensor.Tensor{in})
			require.NoError(t, err)
			assert.NoError(t, tensor.Compare(outs[0], in, tensor.Tolerance{}))
		})
	}
}

func TestDynamicBatch(t *testing.T) {
	requireORT(t)
	// y = Relu(x) · W, x: [N,4], W: [4,3]; the output's batch follows x.
	model := newGraph(13).
		input("x", onnxpb.TensorProto_FLOAT, "N", 4).
		output("y", onnxpb.TensorProto_FLOAT, "N", 3).
		initializer(floatTensor("W", []int64{4, 3}, []float32{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1})).
		node("Relu", []string{"x"}, []string{"r"}).
		node("MatMul", []string{"r", "W"}, []string{"y"}).
		bytes(t)
	s, err := NewSession(model, SessionOptions{IntraOpThreads: 1})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []IOInfo{{Name: "x", DType: tensor.Float32, Shape: []int64{-1, 4}}}, s.Inputs())
	assert.Equal(t, []IOInfo{{Name: "y", DType: tensor.Float32, Shape: []int64{-1, 3}}}, s.Outputs())

	for _, batch := range []int{1, 3, 0, 17} {
		t.Run(fmt.Sprintf("batch%d", batch), func(t *testing.T) {
			x := make([]float32, batch*4)
			want := make([]float32, batch*3)
			for i := range batch {
				for j := range 4 {
					x[i*4+j] = float32(i - j)
				}
				r := func(j int) float32 { return max(0, float32(i-j)) }
				want[i*3], want[i*3+1], want[i*3+2] = r(0)+r(3), r(1)+r(3), r(2)+r(3)
			}
			outs, err := s.Run(context.Background(), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{batch, 4}, x)})
			require.NoError(t, err)
			assert.Equal(t, tensor.Shape{batch, 3}, outs[0].Shape())
			assert.Equal(t, want, tensor.Values[float32](outs[0]))
		})
	}
}

// An output whose shape depends on input values, not shapes, defeats the
// shape memo: the predicted buffer does not fit, whether too small or too
// large, and Run must recover.
func TestValueDependentOutputShape(t *testing.T) {
	requireORT(t)
	model := newGraph(13).
		input("x", onnxpb.TensorProto_FLOAT, 6).
		output("idx", onnxpb.TensorProto_INT64, 1, "nnz").
		node("NonZero", []string{"x"}, []string{"idx"}).
		bytes(t)
	two := []float32{0, 1, 0, 2, 0, 0}
	four := []float32{5, 1, 0, 2, 0, 7}
	zero := make([]float32, 6)
	tests := []struct {
		name string
		runs [][]float32
	}{
		{"prediction too small", [][]float32{two, two, four, zero, two}},
		{"prediction too large", [][]float32{four, four, two, four}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(model, SessionOptions{})
			require.NoError(t, err)
			defer s.Close()
			for i, x := range tc.runs {
				var want []int64
				for k, v := range x {
					if v != 0 {
						want = append(want, int64(k))
					}
				}
				outs, err := s.Run(context.Background(), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{6}, x)})
				require.NoError(t, err, "run %d", i)
				assert.Equal(t, tensor.Shape{1, len(want)}, outs[0].Shape(), "run %d", i)
				if len(want) > 0 {
					assert.Equal(t, want, tensor.Values[int64](outs[0]), "run %d", i)
				}
			}
			key := shapeKey(nil, []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{6}, zero)})
			assert.True(t, s.memo.m[string(key)].unstable, "the failed prediction must stop further ones")
		})
	}
}

func TestConcurrentRun(t *testing.T) {
	requireORT(t)
	s, err := NewSession(addModel(t), SessionOptions{IntraOpThreads: 1})
	require.NoError(t, err)
	defer s.Close()

	const goroutines, runs = 16, 50
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for r := range runs {
				n := 1 + (g+r)%5
				a := make([]float32, n*4)
				b := make([]float32, n*4)
				for i := range a {
					a[i], b[i] = float32(g*1000+r), float32(i)
				}
				outs, err := s.Run(context.Background(), []*tensor.Tensor{
					tensor.MustFromSlice(tensor.Shape{n, 4}, a), tensor.MustFromSlice(tensor.Shape{n, 4}, b)})
				if err != nil {
					errs <- err
					return
				}
				for i, v := range tensor.Values[float32](outs[0]) {
					if v != a[i]+b[i] {
						errs <- fmt.Errorf("goroutine %d run %d: y[%d] = %v, want %v", g, r, i, v, a[i]+b[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// slowModel chains n MatMuls of a [size,size] input with a constant, slow
// enough to cancel mid-run.
func slowModel(t testing.TB, n, size int) []byte {
	w := make([]float32, size*size)
	for i := range w {
		w[i] = 1 / float32(size)
	}
	g := newGraph(13).
		input("x", onnxpb.TensorProto_FLOAT, size, size).
		output(fmt.Sprintf("h%d", n), onnxpb.TensorProto_FLOAT, size, size).
		initializer(floatTensor("W", []int64{int64(size), int64(size)}, w))
	prev := "x"
	for i := 1; i <= n; i++ {
		cur := fmt.Sprintf("h%d", i)
		g.node("MatMul", []string{prev, "W"}, []string{cur})
		prev = cur
	}
	return g.bytes(t)
}

func TestCancel(t *testing.T) {
	requireORT(t)
	// About 2 TFLOP: over ten seconds even where one core multiplies at
	// 200 GFLOP/s, so returning within `promptly` proves the run stopped.
	// Each MatMul takes milliseconds, and ONNX Runtime checks the terminate
	// flag between ops.
	const (
		size     = 1024
		promptly = 3 * time.Second // generous: CI machines are shared
	)
	s, err := NewSession(slowModel(t, 1000, size), SessionOptions{IntraOpThreads: 1})
	require.NoError(t, err)
	defer s.Close()
	x := tensor.MustFromSlice(tensor.Shape{size, size}, make([]float32, size*size))

	// The deadline must expire mid-run: the error proves the run did not
	// finish first.
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = s.Run(ctx, []*tensor.Tensor{x})
	require.Error(t, err, "the slow model finished within 300ms; make it slower")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 300*time.Millisecond+promptly, "the run did not stop promptly after its deadline")

	tests := []struct {
		name  string
		after time.Duration
	}{
		{"mid-run", 100 * time.Millisecond},
		{"before-run", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if tc.after == 0 {
				cancel()
			} else {
				time.AfterFunc(tc.after, cancel)
			}
			start := time.Now()
			outs, err := s.Run(ctx, []*tensor.Tensor{x})
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.Nil(t, outs)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, elapsed, tc.after+promptly, "Run returned %v after cancellation", elapsed-tc.after)
		})
	}

	// The session stays usable after a cancelled run.
	small, err := NewSession(addModel(t), SessionOptions{})
	require.NoError(t, err)
	defer small.Close()
	a := tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{1, 2, 3, 4})
	outs, err := small.Run(context.Background(), []*tensor.Tensor{a, a})
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 4, 6, 8}, tensor.Values[float32](outs[0]))
}

func TestCorruptModel(t *testing.T) {
	requireORT(t)
	valid := addModel(t)
	tests := []struct {
		name  string
		model []byte
	}{
		{"garbage", []byte("this is not an ONNX model")},
		{"truncated", valid[:len(valid)/2]},
		{"no graph", []byte{0x08, 0x08}}, // ir_version 8 and nothing else
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(tc.model, SessionOptions{})
			require.Error(t, err)
			assert.Nil(t, s)
			var oe *Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "create session", oe.Op)
			assert.NotEqual(t, CodeOK, oe.Code)
			assert.NotEmpty(t, oe.Msg)
			assert.Contains(t, err.Error(), oe.Code.String())
		})
	}
	t.Run("empty", func(t *testing.T) {
		_, err := NewSession(nil, SessionOptions{})
		assert.ErrorContains(t, err, "empty")
	})
}

func TestInvalidInputs(t *testing.T) {
	requireORT(t)
	model := newGraph(13).
		input("a", onnxpb.TensorProto_FLOAT, "N", 4).
		input("b", onnxpb.TensorProto_FLOAT, "N", 4).
		output("y", onnxpb.TensorProto_FLOAT, "N", 4).
		node("Add", []string{"a", "b"}, []string{"y"}).
		bytes(t)
	s, err := NewSession(model, SessionOptions{})
	require.NoError(t, err)
	defer s.Close()
	f := func(shape ...int) *tensor.Tensor {
		return tensor.MustFromSlice(tensor.Shape(shape), make([]float32, tensor.Shape(shape).NumElements()))
	}
	tests := []struct {
		name   string
		inputs []*tensor.Tensor
		want   string
	}{
		{"too few", []*tensor.Tensor{f(1, 4)}, "got 1 inputs, the model takes 2 (a, b)"},
		{"too many", []*tensor.Tensor{f(1, 4), f(1, 4), f(1, 4)}, "got 3 inputs"},
		{"nil", []*tensor.Tensor{f(1, 4), nil}, `input 1 "b" is nil`},
		{"dtype", []*tensor.Tensor{f(1, 4), tensor.MustFromSlice(tensor.Shape{1, 4}, make([]float64, 4))},
			`input 1 "b" has dtype float64, the model wants float32`},
		{"rank", []*tensor.Tensor{f(4), f(1, 4)}, `input 0 "a" has shape [4] (rank 1), the model wants rank 2 [?,4]`},
		{"static dim", []*tensor.Tensor{f(1, 4), f(1, 5)}, `input 1 "b" has shape [1,5], the model wants [?,4]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outs, err := s.Run(context.Background(), tc.inputs)
			assert.Nil(t, outs)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	// Symbolic dimensions that disagree are left to ONNX Runtime, whose
	// error keeps its status code.
	t.Run("ort error", func(t *testing.T) {
		_, err := s.Run(context.Background(), []*tensor.Tensor{f(2, 4), f(3, 4)})
		var oe *Error
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "run", oe.Op)
		assert.Contains(t, []ErrorCode{CodeInvalidArgument, CodeFail, CodeRuntimeException}, oe.Code, "code %v", oe.Code)
	})
}

func TestUnsupportedModels(t *testing.T) {
	requireORT(t)
	t.Run("sequence output", func(t *testing.T) {
		g := newGraph(13).input("x", onnxpb.TensorProto_FLOAT, 2)
		g.g.Output = append(g.g.Output, &onnxpb.ValueInfoProto{
			Name: ptr("seq"),
			Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_SequenceType{SequenceType: &onnxpb.TypeProto_Sequence{
				ElemType: valueInfo("", onnxpb.TensorProto_FLOAT, false, 2).Type,
			}}},
		})
		g.node("SequenceConstruct", []string{"x"}, []string{"seq"})
		s, err := NewSession(g.bytes(t), SessionOptions{})
		assert.Nil(t, s)
		require.ErrorIs(t, err, ErrUnsupported)
		assert.ErrorContains(t, err, `output 0 "seq" is a sequence`)
	})
	t.Run("resource input", func(t *testing.T) {
		s, err := NewSession(addModel(t), SessionOptions{})
		require.NoError(t, err)
		defer s.Close()
		r, err := tensor.FromAny(tensor.Resource, tensor.Shape{}, []any{"handle"})
		require.NoError(t, err)
		_, err = s.Run(context.Background(), []*tensor.Tensor{r, r})
		require.ErrorIs(t, err, ErrInvalidInput)
	})
}

func ptr[T any](v T) *T { return &v }

func TestSessionOptions(t *testing.T) {
	requireORT(t)
	model := addModel(t)
	tests := []struct {
		name string
		opts SessionOptions
		want string // error substring; "" for success
	}{
		{"zero", SessionOptions{}, ""},
		{"threads", SessionOptions{IntraOpThreads: 2, InterOpThreads: 2}, ""},
		{"no spinning", SessionOptions{DisableSpinning: true}, ""},
		{"opt disabled", SessionOptions{OptLevel: OptDisabled}, ""},
		{"opt basic", SessionOptions{OptLevel: OptBasic}, ""},
		{"opt extended", SessionOptions{OptLevel: OptExtended}, ""},
		{"opt all", SessionOptions{OptLevel: OptAll}, ""},
		{"cpu provider", SessionOptions{Providers: []Provider{{Name: CPUProvider}}}, ""},
		{"negative threads", SessionOptions{IntraOpThreads: -1}, "negative thread count"},
		{"bad opt level", SessionOptions{OptLevel: 42}, "unknown optimization level"},
		{"cpu provider options", SessionOptions{Providers: []Provider{{Name: CPUProvider, Options: map[string]string{"a": "b"}}}}, "takes no provider options"},
		{"unknown provider", SessionOptions{Providers: []Provider{{Name: "NoSuchExecutionProvider"}}}, "append provider NoSuchExecutionProvider"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(model, tc.opts)
			if tc.want != "" {
				assert.Nil(t, s)
				assert.ErrorContains(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			a := tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{1, 2, 3, 4})
			outs, err := s.Run(context.Background(), []*tensor.Tensor{a, a})
			require.NoError(t, err)
			assert.Equal(t, []float32{2, 4, 6, 8}, tensor.Values[float32](outs[0]))
		})
	}
}

func TestClose(t *testing.T) {
	requireORT(t)
	s, err := NewSession(addModel(t), SessionOptions{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close must be idempotent")
	a := tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{1, 2, 3, 4})
	_, err = s.Run(context.Background(), []*tensor.Tensor{a, a})
	assert.ErrorIs(t, err, ErrClosed)

	var zero Session
	_, err = zero.Run(context.Background(), nil)
	assert.ErrorIs(t, err, ErrClosed, "a zero Session must not reach ONNX Runtime")
	assert.NoError(t, zero.Close())
}

func TestCloseWaitsForRuns(t *testing.T) {
	requireORT(t)
	// Hundreds of milliseconds at least, so that Close comes mid-run; had
	// Close not waited, ONNX Runtime would free the session under the run.
	const size = 1024
	s, err := NewSession(slowModel(t, 40, size), SessionOptions{IntraOpThreads: 1})
	require.NoError(t, err)
	x := tensor.MustFromSlice(tensor.Shape{size, size}, make([]float32, size*size))
	done := make(chan error)
	go func() {
		_, err := s.Run(context.Background(), []*tensor.Tensor{x})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, s.Close())
	assert.NoError(t, <-done, "the run in flight when Close was called must complete")
}

func TestAvailableProviders(t *testing.T) {
	requireORT(t)
	ps, err := AvailableProviders()
	require.NoError(t, err)
	assert.Contains(t, ps, CPUProvider)
	v, err := Version()
	require.NoError(t, err)
	assert.NotEmpty(t, v)
}

func TestErrorCodeString(t *testing.T) {
	tests := []struct {
		code ErrorCode
		want string
	}{
		{CodeOK, "ORT_OK"},
		{CodeInvalidArgument, "ORT_INVALID_ARGUMENT"},
		{CodeNoSuchFile, "ORT_NO_SUCHFILE"},
		{CodeNotFound, "ORT_NOT_FOUND"},
		{ErrorCode(99), "ORT_ERROR_99"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.code.String())
		})
	}
	err := error(&Error{Op: "run", Code: CodeFail, Msg: "boom"})
	assert.Equal(t, "engine: run: ORT_FAIL: boom", err.Error())
	var oe *Error
	assert.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &oe))
}

func TestOptimizedModelPath(t *testing.T) {
	requireORT(t)
	path := filepath.Join(t.TempDir(), "optimized.onnx")
	s, err := NewSession(addModel(t), SessionOptions{OptimizedModelPath: path})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var m onnxpb.ModelProto
	require.NoError(t, proto.Unmarshal(data, &m))
	require.Len(t, m.GetGraph().GetNode(), 1)
	assert.Equal(t, "Add", m.GetGraph().GetNode()[0].GetOpType())

	_, err = NewSession(addModel(t), SessionOptions{OptimizedModelPath: filepath.Join(t.TempDir(), "missing", "dir", "x.onnx")})
	assert.Error(t, err, "an unwritable path fails the session")
}
