package function

// SetMaxNodes lowers the inlining bound for a test and returns the undo.
func SetMaxNodes(n int) (undo func()) {
	old := maxNodes
	maxNodes = n
	return func() { maxNodes = old }
}
