package clusters

import (
	"slices"
)

// Splits and unstacking.
func init() {
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.unpack)}, "Unpack")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.split)}, "Split")
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.splitV)}, "SplitV")
}

// unpack splits along axis into num pieces of size 1 and squeezes them.
func (a arr) unpack() error {
	num, err := a.Attrs.Int("num", 0)
	if err != nil {
		return err
	}
	axis, err := a.Attrs.Int("axis", 0)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	ax, err := a.normAxis(int(axis), rank)
	if err != nil {
		return err
	}
	if num == 0 {
		return nil // no outputs
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	pieces := []string{v.Name}
	if num > 1 {
		ones := make([]int, num)
		for i := range ones {
			ones[i] = 1
		}
		sizes, err := a.Int64s(ones...)
		if err != nil {
			return err
		}
		if pieces, err = a.OpN("Split", []string{v.Name, sizes}, int(num), map[string]any{"axis": axisIn(ax, rank, v.Perm)}); err != nil {
			return err
		}
	}
	for k, p := range pieces {
		out, err := a.squeeze(Value{Name: p, Perm: v.Perm}, rank, []int{ax})
		if err != nil {
			return err
		}
		a.SetOutputValue(k, out)
	}
	return nil
}

// split cuts input 1 into num_split equal parts along the static axis 0.
func (a arr) split() error {
	num, err := a.Attrs.Int("num_split", 0)
	if err != nil {
		return err
	}
	axis, rank, err := a.staticAxis(0, 1)
	if err != nil {
		return err
	}
	v, err := a.Raw(1)
	if err != nil {
		return err
	}
	if num == 1 {
		a.SetOutputValue(0, v)
		return nil
	}
	outs, err := a.OpN("Split", []string{v.Name}, int(num), map[string]any{"axis": axisIn(axis, rank, v.Perm), "num_outputs": num})
	if err != nil {
		return err
	}
	for k, o := range outs {
		a.SetOutputValue(k, Value{Name: o, Perm: v.Perm})
	}
	return nil
}

// splitV cuts input 0 into pieces of the sizes of input 1 along the static
// axis 2. ONNX has no -1 size: where one may be there, it is computed at
// run time as the dimension minus the other sizes.
func (a arr) splitV() error {
	num, err := a.Attrs.Int("num_split", 0)
	if err != nil {
		return err
	}
	axis, rank, err := a.staticAxis(2, 0)
	if err != nil {
		return err
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	if num == 1 {
		a.SetOutputValue(0, v)
		return nil
	}
	j := axisIn(axis, rank, v.Perm)
	sizes, err := a.int64Input(1)
	if err != nil {
		return err
	}
	if s, _ := a.staticInts(1); s == nil || slices.Contains(s, -1) {
		if sizes, err = a.resolveSplitSizes(v.Name, j, sizes); err != nil {
			return err
		}
	}
	outs, err := a.OpN("Split", []string{v.Name, sizes}, int(num), map[string]any{"axis": j})
	if err != nil {
		return err
	}
	for k, o := range outs {
		a.SetOutputValue(k, Value{Name: o, Perm: v.Perm})
	}
	return nil
}

// resolveSplitSizes replaces a -1 in sizes (int64) by what the others
// leave of dimension j of x: dim − (sum + 1), the sum counting the −1.
func (a arr) resolveSplitSizes(x string, j int, sizes string) (string, error) {
	e := a.emitter()
	dim := e.op("Shape", map[string]any{"start": j, "end": j + 1}, x)
	sum := e.op("Add", nil, e.op("ReduceSum", map[string]any{"keepdims": 1}, sizes), e.scalar(1))
	isRest := e.op("Equal", nil, sizes, e.scalar(-1))
	out := e.op("Where", nil, isRest, e.op("Sub", nil, dim, sum), sizes)
	return out, e.err
}
