package tfgo

import (
	"fmt"
	"sync/atomic"

	"github.com/tfoffload/tfoffload/compat/tf/op"
)

var tensorCounter atomic.Uint64

// NewScope returns a new sub-scope of root named input_<n>, n a counter
// shared by the whole program.
func NewScope(root *op.Scope) *op.Scope {
	return root.SubScope(fmt.Sprint("input_", tensorCounter.Add(1)))
}
