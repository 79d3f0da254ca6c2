package clusters

// Attribute helpers shared by the translator families.

// isNCHW reports whether the node's data_format is NCHW.
func (c *Ctx) isNCHW() bool {
	df, _ := c.Attrs.String("data_format", "NHWC")
	return df == "NCHW"
}

// boolInt is b as an ONNX integer attribute: 1 or 0.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
