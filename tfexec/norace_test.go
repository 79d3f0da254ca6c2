//go:build !race

package tfexec

const raceEnabled = false
