package clusters

// Plumbing: Const, the identities and NoOp, whose kernels are the
// executor's own (tfexec/plumbing.go). They emit no ONNX node: an output
// is a constant or the input's value itself.
func init() {
	register(Entry{Translate: func(c *Ctx) error {
		v, err := c.Attrs.Tensor("value")
		if err != nil {
			return err
		}
		c.SetOutputConst(0, v)
		return nil
	}}, "Const")
	register(Entry{Translate: func(c *Ctx) error {
		v, err := c.Raw(0)
		if err != nil {
			return err
		}
		c.SetOutputValue(0, v) // no node: the value is the same
		return nil
	}}, "Identity", "StopGradient", "Snapshot", "PreventGradient", "PlaceholderWithDefault")
	register(Entry{Translate: func(c *Ctx) error {
		for i := 0; i < c.NumInputs(); i++ {
			v, err := c.Raw(i)
			if err != nil {
				return err
			}
			c.SetOutputValue(i, v)
		}
		return nil
	}}, "IdentityN")
	register(Entry{Translate: func(*Ctx) error { return nil }}, "NoOp")
}
