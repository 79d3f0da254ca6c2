package clusters

import (
	"github.com/tfoffload/tfoffload/tensor"
)

// LowerBound and UpperBound of [rows, n] sorted inputs and [rows, m]
// values: for each value, how many elements of its row are less than it
// (LowerBound) or not greater (UpperBound).
func init() {
	for _, oc := range [][2]string{{"LowerBound", "Less"}, {"UpperBound", "LessOrEqual"}} {
		op, cmp := oc[0], oc[1]
		register(Entry{DTypes: numericTypes, Translate: func(c *Ctx) error {
			if c.In(0).Rank() != 2 || c.In(1).Rank() != 2 {
				return c.Fail("inputs of rank %d and %d", c.In(0).Rank(), c.In(1).Rank())
			}
			sorted, err := c.Input(0)
			if err != nil {
				return err
			}
			values, err := c.Input(1)
			if err != nil {
				return err
			}
			out, err := c.countCompared(cmp, sorted, values, 1)
			if err != nil {
				return err
			}
			outType, err := c.Attrs.Type("out_type", tensor.Int32)
			if err != nil {
				return err
			}
			if out, err = c.cast(out, tensor.Int32, outType); err != nil {
				return err
			}
			c.SetOutput(0, out)
			return nil
		}}, op)
	}
}
