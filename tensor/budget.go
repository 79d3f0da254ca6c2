package tensor

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/sysmem"
)

// ErrTooLarge is wrapped by every *TooLargeError: an allocation refused
// because it would exceed a memory budget.
var ErrTooLarge = errors.New("tensor: over the memory budget")

// Budget names one of the memory budgets.
type Budget int

// The memory budgets.
const (
	// TensorBudget bounds the bytes of one tensor: MaxTensorBytes.
	TensorBudget Budget = iota
	// RunBudget bounds the bytes of the tensors one run of tfexec's
	// executor holds at once: MaxRunBytes, or the executor's option.
	RunBudget
)

// TooLargeError reports an allocation over a memory budget, before it was
// made (TensorBudget) or as the run that made it reached the budget
// (RunBudget). It wraps ErrTooLarge.
type TooLargeError struct {
	DType DType
	Shape Shape
	// Bytes is what the tensor needs (math.MaxInt64 if that overflows).
	Bytes  int64
	Budget Budget
	Limit  int64
	// Held is, for RunBudget, what the run held with this tensor.
	Held int64
}

func (e *TooLargeError) Error() string {
	if e.Budget == RunBudget {
		return fmt.Sprintf("tensor: %v%v (%s) brings the tensors the run holds to %s, over its limit of %s (%s)",
			e.DType, e.Shape, FormatBytes(e.Bytes), FormatBytes(e.Held), FormatBytes(e.Limit), envconfig.MaxRunBytes)
	}
	return fmt.Sprintf("tensor: %v%v needs %s, over the limit of %s for one tensor (%s)",
		e.DType, e.Shape, FormatBytes(e.Bytes), FormatBytes(e.Limit), envconfig.MaxTensorBytes)
}

// Unwrap returns ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// FormatBytes formats a byte count with a binary unit: "512 B", "1.5 MiB",
// "3.6 TiB"; math.MaxInt64 (an overflowed size) is "more than 8 EiB".
func FormatBytes(n int64) string {
	if n == math.MaxInt64 {
		return "more than 8 EiB"
	}
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f %s", v, units[u])
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}

// The budgets' settings. explicit* are set by SetMax*Bytes (0: unset);
// defaults come from the environment or the machine, read once.
var (
	explicitTensor, explicitRun atomic.Int64
	defaults                    = sync.OnceValue(loadDefaults)
)

type budgetDefaults struct{ tensor, run int64 }

// loadDefaults applies TFOFFLOAD_MAX_TENSOR_BYTES and
// TFOFFLOAD_MAX_RUN_BYTES, or derives the budgets from the memory
// available. A malformed variable leaves the derived default here; it is
// reported as an error by tfexec.New and the bridge, which check the
// environment.
func loadDefaults() budgetDefaults {
	avail := sysmem.Available().Bytes
	d := budgetDefaults{tensor: avail / 2, run: avail / 4 * 3}
	if env, err := envconfig.LoadMemory(); err == nil {
		if env.MaxTensorBytes > 0 {
			d.tensor = env.MaxTensorBytes
		}
		if env.MaxRunBytes > 0 {
			d.run = env.MaxRunBytes
		}
	}
	return d
}

// MaxTensorBytes returns the most bytes one tensor may take: the value
// set with SetMaxTensorBytes, else TFOFFLOAD_MAX_TENSOR_BYTES, else half
// the memory available to the process (physical memory, or its cgroup
// limit or RLIMIT_AS/RLIMIT_DATA where lower). New and every other
// constructor that allocates check it before allocating; code that sizes
// an allocation from data calls CheckAlloc first.
func MaxTensorBytes() int64 {
	if n := explicitTensor.Load(); n > 0 {
		return n
	}
	return defaults().tensor
}

// SetMaxTensorBytes sets MaxTensorBytes for the whole process, overriding
// the environment, and returns the previous explicit setting (0 if there
// was none, which restores the default when passed back). n ≤ 0 clears
// the setting.
func SetMaxTensorBytes(n int64) (previous int64) { return explicitTensor.Swap(max(n, 0)) }

// MaxRunBytes returns the default budget for the tensors one run of
// tfexec's executor holds at once: the value set with SetMaxRunBytes,
// else TFOFFLOAD_MAX_RUN_BYTES, else three quarters of the memory
// available. An executor option may override it per executor.
func MaxRunBytes() int64 {
	if n := explicitRun.Load(); n > 0 {
		return n
	}
	return defaults().run
}

// SetMaxRunBytes sets MaxRunBytes for the whole process, overriding the
// environment, and returns the previous explicit setting (0 if none). n ≤
// 0 clears the setting.
func SetMaxRunBytes(n int64) (previous int64) { return explicitRun.Swap(max(n, 0)) }

// headerBytes is what one element of a string, resource or variant tensor
// takes before its contents: a string header or an interface value.
const headerBytes = int64(unsafe.Sizeof(""))

// elementBytes is the memory one element of dt takes in a Tensor.
func elementBytes(dt DType) int64 {
	if s := dt.Size(); s > 0 {
		return int64(s)
	}
	return headerBytes
}

// AllocBytes returns the bytes a tensor of dt and shape takes when
// allocated (string contents excluded), math.MaxInt64 if that overflows,
// or an error wrapping ErrShape for a negative dimension.
func AllocBytes(dt DType, shape Shape) (int64, error) {
	n := elementBytes(dt)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("%w: dimension %d of %v is negative", ErrShape, i, shape)
		}
	}
	for _, d := range shape {
		if d == 0 {
			return 0, nil
		}
		if n > math.MaxInt64/int64(d) {
			n = math.MaxInt64
			continue
		}
		n *= int64(d)
	}
	return n, nil
}

// CheckAlloc reports whether a tensor of dt and shape may be allocated:
// nil, an error wrapping ErrShape for an invalid shape, or a
// *TooLargeError when it needs more than MaxTensorBytes. Code that sizes
// an allocation from values it does not control (tensor contents, file
// headers, command-line sizes) calls it before allocating; New calls it
// itself. For scratch memory that is not a tensor, pass the element type
// it is made of (Int64 for []int on 64-bit machines).
func CheckAlloc(dt DType, shape Shape) error {
	n, err := AllocBytes(dt, shape)
	if err != nil {
		return err
	}
	if limit := MaxTensorBytes(); n > limit {
		return &TooLargeError{DType: dt, Shape: shape.Clone(), Bytes: n, Budget: TensorBudget, Limit: limit}
	}
	return nil
}

// MemBytes returns the memory t's elements take: their fixed size, or,
// for strings, the headers and the bytes of every string; resource and
// variant elements count their interface values only.
func (t *Tensor) MemBytes() int64 {
	if ss, ok := t.data.([]string); ok {
		n := int64(len(ss)) * headerBytes
		for _, s := range ss {
			n += int64(len(s))
		}
		return n
	}
	return int64(t.NumElements()) * elementBytes(t.dtype)
}

// SharesData reports whether t and o view the same elements, as a tensor
// and its Reshape do. Empty tensors share nothing.
func (t *Tensor) SharesData(o *Tensor) bool {
	if t.NumElements() == 0 || o.NumElements() == 0 || t.dtype != o.dtype {
		return false
	}
	return slicePtr(t.data) == slicePtr(o.data)
}
