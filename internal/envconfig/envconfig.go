// Package envconfig reads every TFOFFLOAD_* environment variable, in one
// place, strictly: a malformed value is an error that names the variable,
// never a silent default. Explicit options in code override these values,
// which override the built-in defaults.
package envconfig

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The environment variables tfoffload reads.
const (
	Backend            = "TFOFFLOAD_BACKEND"
	Disable            = "TFOFFLOAD_DISABLE"
	DisabledOps        = "TFOFFLOAD_DISABLED_OPS"
	MinNontrivialNodes = "TFOFFLOAD_MIN_NONTRIVIAL_NODES"
	MaxClusters        = "TFOFFLOAD_MAX_CLUSTERS"
	DynamicFallback    = "TFOFFLOAD_DYNAMIC_FALLBACK"
	LogPlacement       = "TFOFFLOAD_LOG_PLACEMENT"
	DumpDir            = "TFOFFLOAD_DUMP_DIR"
	CacheSize          = "TFOFFLOAD_CACHE_SIZE"
	MaxTensorBytes     = "TFOFFLOAD_MAX_TENSOR_BYTES"
	MaxRunBytes        = "TFOFFLOAD_MAX_RUN_BYTES"
)

// DefaultCacheSize is the number of compiled engine sessions kept per
// cluster when TFOFFLOAD_CACHE_SIZE is unset.
const DefaultCacheSize = 16

// Var documents one variable for help texts and the README.
type Var struct {
	Name, Default, Help string
}

// Vars lists every variable with its default and meaning.
func Vars() []Var {
	return []Var{
		{Backend, "CPU", "backend to offload to: CPU, GPU (CUDA), TENSORRT, OPENVINO[_CPU|_GPU|_NPU], DIRECTML, COREML"},
		{Disable, "0", "1 turns offloading off: everything runs on the Go executor"},
		{DisabledOps, "", "comma-separated TensorFlow op types never to offload, e.g. Conv2D,MatMul; an unknown op type is warned about"},
		{MinNontrivialNodes, "OpenVINO-TensorFlow's formula (at least 6)", "smallest cluster to offload, in non-trivial nodes"},
		{MaxClusters, "unlimited", "keep only the N largest clusters"},
		{DynamicFallback, "1", "0 makes a cluster the engine cannot compile or run an error instead of running it on the Go executor"},
		{LogPlacement, "0", "1 logs each cluster and why every node left on the executor stayed there"},
		{DumpDir, "", "directory to write the partition plan (text and Graphviz DOT) and each cluster's .onnx into"},
		{CacheSize, strconv.Itoa(DefaultCacheSize), "compiled engine sessions kept per cluster (one per input shape signature)"},
		{MaxTensorBytes, "half the memory available (physical, cgroup or rlimit, the lowest)", "most bytes one tensor may take, e.g. 4GiB; larger ones are an error before they are allocated"},
		{MaxRunBytes, "three quarters of the memory available", "most bytes of tensors one run of the executor may hold at once, e.g. 12GiB"},
	}
}

// Config holds the parsed variables. Pointer and empty fields are unset.
type Config struct {
	Backend            string
	Disable            bool
	DisabledOps        []string
	MinNontrivialNodes *int
	MaxClusters        int // 0: unlimited
	DynamicFallback    bool
	LogPlacement       bool
	DumpDir            string
	CacheSize          int
	Memory
}

// Memory holds the memory budget variables, in bytes; 0 means unset.
type Memory struct {
	MaxTensorBytes int64
	MaxRunBytes    int64
}

// Load reads the process environment.
func Load() (Config, error) { return LoadFrom(os.LookupEnv) }

// LoadMemory reads only the memory budget variables, for package tensor,
// which applies them on its first allocation without needing the rest.
func LoadMemory() (Memory, error) { return loadMemory(lookupTrimmed(os.LookupEnv)) }

// lookupTrimmed treats a variable set to blanks as unset.
func lookupTrimmed(lookup func(string) (string, bool)) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := lookup(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
}

func loadMemory(get func(string) (string, bool)) (Memory, error) {
	var m Memory
	for _, f := range []struct {
		name string
		dst  *int64
	}{{MaxTensorBytes, &m.MaxTensorBytes}, {MaxRunBytes, &m.MaxRunBytes}} {
		v, ok := get(f.name)
		if !ok {
			continue
		}
		n, err := ParseBytes(v)
		if err != nil {
			return Memory{}, fmt.Errorf("environment variable %s=%q: %w", f.name, v, err)
		}
		*f.dst = n
	}
	return m, nil
}

// byteUnits are the suffixes ParseBytes accepts, longest first within
// each family so that "MiB" is not read as "B".
var byteUnits = []struct {
	suffix string
	scale  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// ParseBytes reads a positive size in bytes: a plain integer ("1048576")
// or an integer with a unit, KiB/MiB/GiB/TiB (powers of 1024) or
// KB/MB/GB/TB (powers of 1000) or B, matched without regard to case and
// optionally separated by a space ("4GiB", "512 MiB"). Fractions,
// negative numbers, zero, unknown units and sizes past 2⁶³−1 bytes are
// errors.
func ParseBytes(s string) (int64, error) {
	num, scale := strings.TrimSpace(s), int64(1)
	for _, u := range byteUnits {
		if len(num) > len(u.suffix) && strings.EqualFold(num[len(num)-len(u.suffix):], u.suffix) {
			num, scale = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || strings.HasPrefix(num, "+") {
		return 0, fmt.Errorf("want a positive number of bytes, optionally with a unit (KiB, MiB, GiB, TiB, KB, MB, GB, TB), like 4GiB")
	}
	if n > math.MaxInt64/scale {
		return 0, fmt.Errorf("%s is more bytes than fit in 63 bits", s)
	}
	return n * scale, nil
}

// LoadFrom reads variables through lookup (os.LookupEnv in production; a
// map in tests).
func LoadFrom(lookup func(string) (string, bool)) (Config, error) {
	c := Config{DynamicFallback: true, CacheSize: DefaultCacheSize}
	get := lookupTrimmed(lookup)
	var err error
	if v, ok := get(Backend); ok {
		c.Backend = strings.ToUpper(v)
	}
	if c.Disable, err = parseBool(get, Disable, false); err != nil {
		return c, err
	}
	if c.DynamicFallback, err = parseBool(get, DynamicFallback, true); err != nil {
		return c, err
	}
	if c.LogPlacement, err = parseBool(get, LogPlacement, false); err != nil {
		return c, err
	}
	if v, ok := get(DisabledOps); ok {
		for _, op := range strings.Split(v, ",") {
			if op = strings.TrimSpace(op); op != "" {
				if !opName.MatchString(op) {
					return c, fmt.Errorf("environment variable %s=%q: %q is not an op type name (CamelCase, such as Conv2D; comma-separated)", DisabledOps, v, op)
				}
				c.DisabledOps = append(c.DisabledOps, op)
			}
		}
		slices.Sort(c.DisabledOps)
		c.DisabledOps = slices.Compact(c.DisabledOps)
	}
	if v, ok := get(MinNontrivialNodes); ok {
		n, err := parseInt(MinNontrivialNodes, v, 0)
		if err != nil {
			return c, err
		}
		c.MinNontrivialNodes = &n
	}
	if v, ok := get(MaxClusters); ok {
		if c.MaxClusters, err = parseInt(MaxClusters, v, 0); err != nil {
			return c, err
		}
	}
	if v, ok := get(CacheSize); ok {
		if c.CacheSize, err = parseInt(CacheSize, v, 1); err != nil {
			return c, err
		}
	}
	if v, ok := get(DumpDir); ok {
		c.DumpDir = v
	}
	if c.Memory, err = loadMemory(get); err != nil {
		return c, err
	}
	return c, nil
}

// opName is the form TensorFlow requires of op type names: CamelCase, or
// anything after a leading underscore for internal ops (_FusedConv2D).
var opName = regexp.MustCompile(`^(?:_[A-Za-z0-9>_]*|[A-Z][A-Za-z0-9>_]*)$`)

func parseBool(get func(string) (string, bool), name string, def bool) (bool, error) {
	v, ok := get(name)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return def, fmt.Errorf("environment variable %s=%q: want 1 or 0 (true/false)", name, v)
}

func parseInt(name, v string, min int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		return 0, fmt.Errorf("environment variable %s=%q: want an integer ≥ %d", name, v, min)
	}
	return n, nil
}
