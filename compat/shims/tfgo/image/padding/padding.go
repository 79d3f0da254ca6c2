// Package padding forwards to github.com/tfoffload/tfoffload/compat/tfgo/image/padding.
package padding

import "github.com/tfoffload/tfoffload/compat/tfgo/image/padding"

// Padding is padding.Padding.
type Padding = padding.Padding

// The paddings.
const (
	SAME  = padding.SAME
	VALID = padding.VALID
)
