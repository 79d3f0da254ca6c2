package padding

import "fmt"

// Padding is the kind of padding of a convolution.
type Padding int

// The paddings TensorFlow's convolutions accept.
const (
	SAME Padding = iota
	VALID
)

// String returns the padding's TensorFlow name ("SAME", "VALID").
func (i Padding) String() string {
	switch i {
	case SAME:
		return "SAME"
	case VALID:
		return "VALID"
	}
	return fmt.Sprintf("Padding(%d)", int(i))
}
