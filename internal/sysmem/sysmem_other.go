//go:build !linux

package sysmem

func physical() Limit {
	return Limit{Bytes: AssumedPhysical, Source: "assumed physical memory"}
}

func rlimits() []Limit { return nil }
