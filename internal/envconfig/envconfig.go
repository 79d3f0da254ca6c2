// Package envconfig reads every TFOFFLOAD_* environment variable, in one
// place, strictly: a malformed value is an error that names the variable,
// never a silent default. Explicit options in code override these values,
// which override the built-in defaults.
package envconfig

import (
	"fmt"
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
}

// Load reads the process environment.
func Load() (Config, error) { return LoadFrom(os.LookupEnv) }

// LoadFrom reads variables through lookup (os.LookupEnv in production; a
// map in tests).
func LoadFrom(lookup func(string) (string, bool)) (Config, error) {
	c := Config{DynamicFallback: true, CacheSize: DefaultCacheSize}
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
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
