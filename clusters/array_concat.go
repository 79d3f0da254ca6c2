package clusters

// Concatenation and stacking.
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error {
		return a.concat(a.NumInputs()-1, 0, a.NumInputs()-1)
	})}, "ConcatV2")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(func(a arr) error {
		return a.concat(0, 1, a.NumInputs())
	})}, "Concat")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.pack)}, "Pack")
}

// concat joins inputs [lo, hi) along the static axis input, in the layout
// of the first permuted one.
func (a arr) concat(axisInput, lo, hi int) error {
	axis, err := a.staticScalar(axisInput)
	if err != nil {
		return err
	}
	rank := a.Out(0).Rank()
	if rank < 1 {
		return a.Fail("concatenation of rank %d", rank)
	}
	if axis, err = a.normAxis(axis, rank); err != nil {
		return err
	}
	idx := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	perm := a.layoutOf(rank, idx...)
	names := make([]string, len(idx))
	for k, i := range idx {
		if names[k], err = a.aligned(i, perm, rank); err != nil {
			return err
		}
	}
	out, err := a.Op("Concat", names, map[string]any{"axis": axisIn(axis, rank, perm)})
	a.SetOutputValue(0, Value{Name: out, Perm: perm})
	return err
}

// pack stacks its inputs along a new axis: Unsqueeze each, then Concat.
func (a arr) pack() error {
	axis, err := a.Attrs.Int("axis", 0)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	ax, err := a.normAxis(int(axis), rank+1)
	if err != nil {
		return err
	}
	idx := make([]int, a.NumInputs())
	for i := range idx {
		idx[i] = i
	}
	perm := a.layoutOf(rank, idx...)
	names := make([]string, len(idx))
	var out Value
	for _, i := range idx {
		name, err := a.aligned(i, perm, rank)
		if err != nil {
			return err
		}
		if out, err = a.unsqueeze(Value{Name: name, Perm: perm}, rank, []int{ax}); err != nil {
			return err
		}
		names[i] = out.Name
	}
	if len(names) > 1 {
		if out.Name, err = a.Op("Concat", names, map[string]any{"axis": axisIn(ax, rank+1, out.Perm)}); err != nil {
			return err
		}
	}
	a.SetOutputValue(0, out)
	return nil
}
