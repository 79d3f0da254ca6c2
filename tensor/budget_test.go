package tensor

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// withMaxTensorBytes sets the per-tensor budget for one test.
func withMaxTensorBytes(t *testing.T, n int64) {
	prev := SetMaxTensorBytes(n)
	t.Cleanup(func() { SetMaxTensorBytes(prev) })
}

func TestCheckAlloc(t *testing.T) {
	withMaxTensorBytes(t, 1<<20)
	for _, tc := range []struct {
		name     string
		dt       DType
		shape    Shape
		bytes    int64 // 0: no error
		shapeErr bool
	}{
		{name: "fits exactly", dt: Float32, shape: Shape{512, 512}},
		{name: "scalar", dt: Complex128, shape: Shape{}},
		{name: "one byte over", dt: Uint8, shape: Shape{1<<20 + 1}, bytes: 1<<20 + 1},
		{name: "float64", dt: Float64, shape: Shape{1024, 1024}, bytes: 8 << 20},
		{name: "strings count their headers", dt: String, shape: Shape{1 << 17}, bytes: 2 << 20},
		{name: "variants count interface values", dt: Variant, shape: Shape{1 << 17}, bytes: 2 << 20},
		{name: "a zero dimension needs nothing", dt: Float32, shape: Shape{1 << 40, 0, 1 << 40}},
		{name: "overflow", dt: Float32, shape: Shape{1 << 40, 1 << 40}, bytes: math.MaxInt64},
		{name: "negative", dt: Float32, shape: Shape{2, -1}, shapeErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckAlloc(tc.dt, tc.shape)
			switch {
			case tc.shapeErr:
				assert.ErrorIs(t, err, ErrShape)
			case tc.bytes == 0:
				assert.NoError(t, err)
			default:
				var tl *TooLargeError
				require.ErrorAs(t, err, &tl)
				assert.ErrorIs(t, err, ErrTooLarge)
				assert.Equal(t, TooLargeError{DType: tc.dt, Shape: tc.shape, Bytes: tc.bytes, Budget: TensorBudget, Limit: 1 << 20}, *tl)
				assert.NotContains(t, err.Error(), "\n")
			}
		})
	}
}

func TestTooLargeErrorMessages(t *testing.T) {
	e := &TooLargeError{DType: Float32, Shape: Shape{1000000, 1000000}, Bytes: 4e12, Limit: 8 << 30}
	assert.Equal(t, "tensor: float32[1000000,1000000] needs 3.6 TiB, over the limit of 8 GiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)", e.Error())
	e = &TooLargeError{DType: Int64, Shape: Shape{1 << 17}, Bytes: 1 << 20, Budget: RunBudget, Held: 3 << 29, Limit: 1 << 30}
	assert.Equal(t, "tensor: int64[131072] (1 MiB) brings the tensors the run holds to 1.5 GiB, over its limit of 1 GiB (TFOFFLOAD_MAX_RUN_BYTES)", e.Error())
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB", 5 << 20: "5 MiB",
		3 << 40: "3 TiB", math.MaxInt64 - 1: "8 EiB", math.MaxInt64: "more than 8 EiB"} {
		assert.Equal(t, want, FormatBytes(n), n)
	}
}

func TestConstructorsCheckTheBudget(t *testing.T) {
	withMaxTensorBytes(t, 1<<10)
	i32 := func(v onnxpb.TensorProto_DataType) *int32 { x := int32(v); return &x }
	for _, tc := range []struct {
		name string
		make func() error
	}{
		{"New", func() error { _, err := New(Float32, Shape{257}); return err }},
		{"FromBytes", func() error { _, err := FromBytes(Uint8, Shape{2048}, make([]byte, 2048)); return err }},
		{"FromFloat64s", func() error { _, err := FromFloat64s(Float64, Shape{129}, make([]float64, 129)); return err }},
		{"FromTFProto fill", func() error {
			_, err := FromTFProto(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(1000), FloatVal: []float32{1}})
			return err
		}},
		{"FromTFProto strings", func() error {
			_, err := FromTFProto(&tfpb.TensorProto{Dtype: tfpb.DataType_DT_STRING, TensorShape: shapeProto(100), StringVal: [][]byte{[]byte("x")}})
			return err
		}},
		{"FromONNXProto", func() error {
			_, err := FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_INT64), Dims: []int64{200}, Int64Data: make([]int64, 200)})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tl *TooLargeError
			assert.ErrorAs(t, tc.make(), &tl)
		})
	}
	assert.PanicsWithError(t, (&TooLargeError{DType: Int32, Shape: Shape{300}, Bytes: 1200, Limit: 1 << 10}).Error(),
		func() { MustNew(Int32, Shape{300}) })
	_, err := New(Float32, Shape{256})
	assert.NoError(t, err)
}

// TestSizesAreCheckedBeforeAllocating feeds tiny inputs that declare huge
// tensors: the mismatch is found without allocating the declared size.
func TestSizesAreCheckedBeforeAllocating(t *testing.T) {
	withMaxTensorBytes(t, math.MaxInt64)
	i32 := func(v onnxpb.TensorProto_DataType) *int32 { x := int32(v); return &x }
	_, err := FromBytes(Float32, Shape{1 << 40}, []byte{1, 2, 3, 4})
	assert.ErrorIs(t, err, ErrShape)
	_, err = FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT), Dims: []int64{1 << 40}, FloatData: []float32{1}})
	assert.ErrorIs(t, err, ErrProto)
	// More values than elements, and an odd number of complex parts, used
	// to index past the tensor.
	_, err = FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_STRING), Dims: []int64{1}, StringData: [][]byte{{'a'}, {'b'}}})
	assert.ErrorIs(t, err, ErrProto)
	_, err = FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_COMPLEX64), Dims: []int64{2}, FloatData: []float32{1, 2, 3}})
	assert.ErrorIs(t, err, ErrProto)
}

func TestSetMaxTensorBytes(t *testing.T) {
	def := MaxTensorBytes()
	assert.Positive(t, def)
	assert.Equal(t, int64(0), SetMaxTensorBytes(4096))
	assert.Equal(t, int64(4096), MaxTensorBytes())
	assert.Equal(t, int64(4096), SetMaxTensorBytes(0))
	assert.Equal(t, def, MaxTensorBytes(), "0 restores the default")

	defRun := MaxRunBytes()
	assert.Positive(t, defRun)
	assert.Equal(t, int64(0), SetMaxRunBytes(1<<20))
	assert.Equal(t, int64(1<<20), MaxRunBytes())
	SetMaxRunBytes(-1)
	assert.Equal(t, defRun, MaxRunBytes())
}

func TestMemBytes(t *testing.T) {
	assert.Equal(t, int64(24), MustFromSlice(Shape{3}, []float64{1, 2, 3}).MemBytes())
	assert.Equal(t, int64(2*headerBytes+5), MustFromSlice(Shape{2}, []string{"ab", "cde"}).MemBytes())
	assert.Equal(t, int64(0), MustNew(Float32, Shape{0, 5}).MemBytes())
}

const budgetChildEnv = "TENSOR_TEST_BUDGET_CHILD"

// TestBudgetDefaults checks, in fresh processes, where the budgets come
// from: the environment, else the memory available (here an
// RLIMIT_DATA), and that SetMaxTensorBytes beats the environment.
func TestBudgetDefaults(t *testing.T) {
	if spec, ok := os.LookupEnv(budgetChildEnv); ok {
		budgetChild(t, spec)
		return
	}
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"environment", []string{envconfig.MaxTensorBytes + "=3MiB", envconfig.MaxRunBytes + "=5 MiB"},
			"tensor=3145728 run=5242880 explicit=7 restored=3145728"},
		{"memory available", []string{budgetChildEnv + "=rlimit"},
			"tensor=536870912 run=805306368 explicit=7 restored=536870912"},
		{"malformed environment falls back to the machine", []string{envconfig.MaxTensorBytes + "=lots", budgetChildEnv + "=rlimit"},
			"tensor=536870912 run=805306368 explicit=7 restored=536870912"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe, err := os.Executable()
			require.NoError(t, err)
			cmd := exec.Command(exe, "-test.run=^TestBudgetDefaults$", "-test.v")
			cmd.Env = append(append(os.Environ(), budgetChildEnv+"=plain"), tc.env...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "child: "+tc.want+"\n")
		})
	}
}

func budgetChild(t *testing.T, spec string) {
	if spec == "rlimit" {
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: 1 << 30, Max: 1 << 30}))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tensor=%d run=%d", MaxTensorBytes(), MaxRunBytes())
	SetMaxTensorBytes(7)
	fmt.Fprintf(&b, " explicit=%d", MaxTensorBytes())
	SetMaxTensorBytes(0)
	fmt.Fprintf(&b, " restored=%d", MaxTensorBytes())
	fmt.Printf("child: %s\n", b.String())
}

func TestSharesData(t *testing.T) {
	x := MustFromSlice(Shape{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	r, err := x.Reshape(Shape{3, 2})
	require.NoError(t, err)
	assert.True(t, r.SharesData(x))
	assert.False(t, x.Clone().SharesData(x))
	assert.False(t, MustNew(Float32, Shape{0}).SharesData(MustNew(Float32, Shape{0})))
	s := MustFromSlice(Shape{2}, []string{"a", "b"})
	s2, _ := s.Reshape(Shape{1, 2})
	assert.True(t, s2.SharesData(s))
}
