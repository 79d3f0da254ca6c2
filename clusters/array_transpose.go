package clusters

// Transposes, which emit no node (see transpose).
func init() {
	// ConjugateTranspose is Transpose for the real types claimed here.
	register(Entry{DTypes: movableTypes, Translate: arrayOp(arr.transpose)}, "Transpose", "ConjugateTranspose")
}

// transpose emits nothing: the output is the input's ONNX value with the
// composed layout, transposed once where something needs another order.
func (a arr) transpose() error {
	perm, err := a.staticInts(1)
	if err != nil {
		return err
	}
	rank, err := a.rankOf(0)
	if err != nil {
		return err
	}
	if len(perm) != rank || !isPermutation(perm) {
		return a.Fail("%v is not a permutation of %d axes", perm, rank)
	}
	v, err := a.Raw(0)
	if err != nil {
		return err
	}
	// Output axis i is input axis perm[i]; storage dimension j holds
	// input axis cur[j], so output axis inv[cur[j]].
	inv := invert(perm)
	cur := orIdentity(v.Perm, rank)
	composed := make([]int, rank)
	for j, p := range cur {
		composed[j] = inv[p]
	}
	a.SetOutputValue(0, Value{Name: v.Name, Perm: composed})
	return nil
}

func isPermutation(p []int) bool {
	seen := make([]bool, len(p))
	for _, x := range p {
		if x < 0 || x >= len(p) || seen[x] {
			return false
		}
		seen[x] = true
	}
	return true
}
