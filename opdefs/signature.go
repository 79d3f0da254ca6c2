package opdefs

import (
	_ "embed" // ops.txt, the signature table
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// The signature half of the op table: every op the project knows, with its
// inputs, outputs and attributes exactly as TensorFlow registers them
// (REGISTER_OP in tensorflow/core/ops/*.cc). The data lives in ops.txt, one
// block per op in TensorFlow's own spec grammar, so each entry can be
// checked against TensorFlow's source line by line; it is parsed once at
// init, and a malformed entry panics there naming its line, because the
// file is ours and ships with the binary.

//go:embed ops.txt
var opsTxt string

// signatures holds the parsed table; signatureOps its op names, sorted.
var (
	signatures   map[string]*Signature
	signatureOps []string
)

func init() {
	var err error
	signatures, err = parseSignatures("ops.txt", opsTxt)
	if err != nil {
		panic("opdefs: " + err.Error())
	}
	signatureOps = make([]string, 0, len(signatures))
	for op := range signatures {
		signatureOps = append(signatureOps, op)
	}
	slices.Sort(signatureOps)
}

// Signature is the registered interface of one op type: TensorFlow's OpDef
// without the documentation. SignatureOf returns the table's own value,
// shared by every caller: treat it and everything it points to as
// read-only.
type Signature struct {
	// Op is the op type ("Conv2D").
	Op string
	// Inputs and Outputs are the argument lists in order. One Arg may stand
	// for several tensors (a number or type-list attr says how many).
	Inputs, Outputs []Arg
	// Attrs are the declared attributes in declaration order.
	Attrs []AttrDef
	// Stateful is TensorFlow's is_stateful: set by SetIsStateful, and for
	// every op with an input or output of fixed type resource.
	Stateful bool
}

// Arg is one input or output argument of a Signature.
type Arg struct {
	// Name is the argument's name ("filter"), used in FunctionDef
	// references (node:name:index).
	Name string
	// Type is the fixed element type ("x: float"); tensor.Invalid when
	// TypeAttr or TypeListAttr gives the type instead.
	Type tensor.DType
	// TypeAttr names the type attribute giving the element type ("x: T").
	TypeAttr string
	// NumberAttr names the int attribute giving the number of tensors
	// ("values: N * T"); empty for a single tensor.
	NumberAttr string
	// TypeListAttr names the list(type) attribute giving one tensor per
	// listed type ("args: Tin").
	TypeListAttr string
	// Ref marks a reference argument ("ref: Ref(T)") of legacy variables.
	Ref bool
}

// AttrDef is one attribute of a Signature.
type AttrDef struct {
	// Name is the attribute's name ("strides").
	Name string
	// Type is the value kind as TensorFlow spells it: "type", "int",
	// "float", "bool", "string", "shape", "tensor", "func", or "list(X)"
	// of one of those. A spec of allowed values ({float, double} or
	// {'SAME', 'VALID'}) and a type class (numbertype) give "type" or
	// "string" here, with the allowed set in AllowedTypes or
	// AllowedValues.
	Type string
	// Default is the value TensorFlow fills in when a node omits the
	// attribute; nil means the attribute is required. Shared: clone before
	// changing it, or use AttrDefault.
	Default *tfpb.AttrValue
	// AllowedTypes restricts a type or list(type) attribute; nil allows
	// every type. Type classes are expanded in DataType enum order, as
	// TensorFlow does. Quantized types, which package tensor does not
	// name, appear as their DataType numbers (tensor.DType(11) is qint8).
	AllowedTypes []tensor.DType
	// AllowedValues restricts a string or list(string) attribute; nil
	// allows every string.
	AllowedValues []string
	// Minimum is the least value of an int attribute, or the least length
	// of a list attribute; nil when there is none. As in TensorFlow, an
	// int attribute used as an argument's length has minimum 1 unless the
	// spec says otherwise.
	Minimum *int64
}

// ErrMissingAttr is wrapped by the errors of the argument-counting
// methods when an attribute they need is absent, has no default, or is
// still a function-body placeholder ($T), so the count is unknown.
var ErrMissingAttr = errors.New("attribute needed to count the arguments is not set")

// ErrNoArg is wrapped by InputRange and OutputRange when the op has no
// argument of the name asked for.
var ErrNoArg = errors.New("no such argument")

// MismatchError reports a node that does not satisfy its op's signature.
type MismatchError struct {
	// Node and Op name the node and its op type.
	Node, Op string
	// Reason says what differs ("attribute \"foo\" is not declared").
	Reason string
}

// Error returns `node "NAME" (OP) does not match its signature: REASON`.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("node %q (%s) does not match its signature: %s", e.Node, e.Op, e.Reason)
}

// SignatureOf returns the signature of op, and false when the table has
// none. The result is shared and must not be modified.
func SignatureOf(op string) (*Signature, bool) {
	s, ok := signatures[op]
	return s, ok
}

// SignatureOps returns the op types that have a signature, sorted. The
// caller owns the slice.
func SignatureOps() []string { return slices.Clone(signatureOps) }

// attrDef returns the declaration of the attribute name.
func (s *Signature) attrDef(name string) (*AttrDef, bool) {
	for i := range s.Attrs {
		if s.Attrs[i].Name == name {
			return &s.Attrs[i], true
		}
	}
	return nil, false
}

// AttrDefault returns a copy of the default value of attribute name, and
// false when the attribute is undeclared or required.
func (s *Signature) AttrDefault(name string) (*tfpb.AttrValue, bool) {
	d, ok := s.attrDef(name)
	if !ok || d.Default == nil {
		return nil, false
	}
	return proto.CloneOf(d.Default), true
}

// FillDefaults returns a new map holding attrs plus a copy of the default
// of every declared attribute attrs lacks, as TensorFlow completes a
// NodeDef before running it. The values taken from attrs are shared, not
// copied; attrs itself is not changed.
func (s *Signature) FillDefaults(attrs map[string]*tfpb.AttrValue) map[string]*tfpb.AttrValue {
	out := make(map[string]*tfpb.AttrValue, len(attrs)+len(s.Attrs))
	for k, v := range attrs {
		out[k] = v
	}
	for i := range s.Attrs {
		d := &s.Attrs[i]
		if _, ok := out[d.Name]; !ok && d.Default != nil {
			out[d.Name] = proto.CloneOf(d.Default)
		}
	}
	return out
}

// NumInputs returns how many tensors a node with these attributes takes
// as data inputs: the inputs expanded by their number and type-list
// attributes, with declared defaults for the ones attrs lacks. The error
// wraps ErrMissingAttr and names the attribute when one is unknown.
func (s *Signature) NumInputs(attrs map[string]*tfpb.AttrValue) (int, error) {
	return s.count(s.Inputs, attrs)
}

// NumOutputs is NumInputs for the outputs.
func (s *Signature) NumOutputs(attrs map[string]*tfpb.AttrValue) (int, error) {
	return s.count(s.Outputs, attrs)
}

// InputRange returns the flat indices [start, end) of the input argument
// name among a node's data inputs. The error wraps ErrNoArg for an unknown
// name and ErrMissingAttr when a needed attribute is unknown.
func (s *Signature) InputRange(name string, attrs map[string]*tfpb.AttrValue) (start, end int, err error) {
	return s.argRange(s.Inputs, "input", name, attrs)
}

// OutputRange returns the flat output indices [start, end) of the output
// argument name: a FunctionDef reference node:name:i is output start+i of
// the node. Errors as for InputRange.
func (s *Signature) OutputRange(name string, attrs map[string]*tfpb.AttrValue) (start, end int, err error) {
	return s.argRange(s.Outputs, "output", name, attrs)
}

func (s *Signature) count(args []Arg, attrs map[string]*tfpb.AttrValue) (int, error) {
	n := 0
	for _, a := range args {
		k, err := s.argSize(a, attrs)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

func (s *Signature) argRange(args []Arg, kind, name string, attrs map[string]*tfpb.AttrValue) (int, int, error) {
	start := 0
	for _, a := range args {
		k, err := s.argSize(a, attrs)
		if err != nil {
			return 0, 0, err
		}
		if a.Name == name {
			return start, start + k, nil
		}
		start += k
	}
	return 0, 0, fmt.Errorf("%s has no %s %q: %w", s.Op, kind, name, ErrNoArg)
}

// argSize is the number of tensors a stands for.
func (s *Signature) argSize(a Arg, attrs map[string]*tfpb.AttrValue) (int, error) {
	switch {
	case a.NumberAttr != "":
		v, err := s.boundAttr(a.NumberAttr, attrs)
		if err != nil {
			return 0, err
		}
		i, ok := v.GetValue().(*tfpb.AttrValue_I)
		if !ok || i.I < 0 {
			return 0, fmt.Errorf("%s: attribute %q is not a non-negative int: %w", s.Op, a.NumberAttr, ErrMissingAttr)
		}
		return int(i.I), nil
	case a.TypeListAttr != "":
		v, err := s.boundAttr(a.TypeListAttr, attrs)
		if err != nil {
			return 0, err
		}
		if _, ok := v.GetValue().(*tfpb.AttrValue_List); !ok {
			return 0, fmt.Errorf("%s: attribute %q is not a list of types: %w", s.Op, a.TypeListAttr, ErrMissingAttr)
		}
		return len(v.GetList().GetType()), nil
	}
	return 1, nil
}

// boundAttr returns the value of attribute name from attrs or its
// default.
func (s *Signature) boundAttr(name string, attrs map[string]*tfpb.AttrValue) (*tfpb.AttrValue, error) {
	v, ok := attrs[name]
	if !ok {
		if v, ok = s.AttrDefault(name); !ok {
			return nil, fmt.Errorf("%s: attribute %q is missing: %w", s.Op, name, ErrMissingAttr)
		}
	}
	if p, ok := v.GetValue().(*tfpb.AttrValue_Placeholder); ok {
		return nil, fmt.Errorf("%s: attribute %q is the unbound placeholder $%s: %w", s.Op, name, p.Placeholder, ErrMissingAttr)
	}
	return v, nil
}

// Check reports how n differs from its op's signature: attributes it
// carries that the op does not declare (names starting with "_" are
// TensorFlow's internal annotations and always allowed), declared
// attributes without a default that it lacks, attribute values of the
// wrong kind or outside the allowed set, and a data input count other than
// the signature's expansion from its attributes. Attribute values that are
// function-body placeholders ($T) are taken on trust. The error joins one
// *MismatchError per problem; nil means n satisfies the signature.
func (s *Signature) Check(n *tfpb.NodeDef) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, &MismatchError{Node: n.GetName(), Op: n.GetOp(), Reason: fmt.Sprintf(format, args...)})
	}
	if n.GetOp() != s.Op {
		bad("it is checked against the signature of %s", s.Op)
	}
	attrs := n.GetAttr()
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, ok := s.attrDef(name); !ok && !strings.HasPrefix(name, "_") {
			bad("attribute %q is not declared", name)
		}
	}
	missing := false
	for i := range s.Attrs {
		d := &s.Attrs[i]
		v, ok := attrs[d.Name]
		if !ok {
			if d.Default == nil {
				bad("required attribute %q is missing", d.Name)
				missing = true
			}
			continue
		}
		if reason := d.checkValue(v); reason != "" {
			bad("attribute %q %s", d.Name, reason)
		}
	}
	if !missing {
		want, err := s.NumInputs(attrs)
		got := 0
		for _, in := range n.GetInput() {
			if !strings.HasPrefix(in, "^") {
				got++
			}
		}
		switch {
		case err != nil && !errors.Is(err, ErrMissingAttr):
			bad("%v", err)
		case err == nil && got != want:
			bad("it has %d data inputs, its attributes say %d", got, want)
		}
	}
	return errors.Join(errs...)
}

// checkValue returns why v is not a valid value of d, or "".
func (d *AttrDef) checkValue(v *tfpb.AttrValue) string {
	if _, ok := v.GetValue().(*tfpb.AttrValue_Placeholder); ok {
		return ""
	}
	base, isList := strings.CutPrefix(d.Type, "list(")
	if !isList {
		if valueKind(v) != base {
			return "is not a " + d.Type
		}
		switch base {
		case "type":
			return d.checkType(tensor.DType(v.GetType()))
		case "string":
			return d.checkString(string(v.GetS()))
		case "int":
			if d.Minimum != nil && v.GetI() < *d.Minimum {
				return fmt.Sprintf("is %d, less than %d", v.GetI(), *d.Minimum)
			}
		}
		return ""
	}
	base = strings.TrimSuffix(base, ")")
	if _, ok := v.GetValue().(*tfpb.AttrValue_List); !ok {
		return "is not a list"
	}
	l := v.GetList()
	lens := map[string]int{
		"type": len(l.GetType()), "string": len(l.GetS()), "int": len(l.GetI()), "float": len(l.GetF()),
		"bool": len(l.GetB()), "shape": len(l.GetShape()), "tensor": len(l.GetTensor()), "func": len(l.GetFunc()),
	}
	n := lens[base]
	for kind, k := range lens {
		if kind != base && k > 0 {
			return "is a list of another kind"
		}
	}
	for _, t := range l.GetType() {
		if why := d.checkType(tensor.DType(t)); why != "" {
			return why
		}
	}
	for _, s := range l.GetS() {
		if why := d.checkString(string(s)); why != "" {
			return why
		}
	}
	if d.Minimum != nil && int64(n) < *d.Minimum {
		return fmt.Sprintf("has %d elements, fewer than %d", n, *d.Minimum)
	}
	return ""
}

// valueKind names the kind of a non-list attribute value as attribute
// types spell it, or "" for a list or an unset value.
func valueKind(v *tfpb.AttrValue) string {
	switch v.GetValue().(type) {
	case *tfpb.AttrValue_Type:
		return "type"
	case *tfpb.AttrValue_S:
		return "string"
	case *tfpb.AttrValue_I:
		return "int"
	case *tfpb.AttrValue_F:
		return "float"
	case *tfpb.AttrValue_B:
		return "bool"
	case *tfpb.AttrValue_Shape:
		return "shape"
	case *tfpb.AttrValue_Tensor:
		return "tensor"
	case *tfpb.AttrValue_Func:
		return "func"
	}
	return ""
}

func (d *AttrDef) checkType(t tensor.DType) string {
	if d.AllowedTypes != nil && !slices.Contains(d.AllowedTypes, t) {
		return fmt.Sprintf("is %s, not one of the allowed types", dtypeName(t))
	}
	return ""
}

func (d *AttrDef) checkString(s string) string {
	if d.AllowedValues != nil && !slices.Contains(d.AllowedValues, s) {
		return fmt.Sprintf("is %q, not one of %q", s, d.AllowedValues)
	}
	return ""
}

// ---------------------------------------------------------------------------
// Element types.

// The quantized DataTypes. Package tensor does not hold them, so they have
// no name there; the table keeps them as their enum numbers.
var quantizedTypes = map[string]tensor.DType{
	"qint8":   tensor.DType(tfpb.DataType_DT_QINT8),
	"quint8":  tensor.DType(tfpb.DataType_DT_QUINT8),
	"qint16":  tensor.DType(tfpb.DataType_DT_QINT16),
	"quint16": tensor.DType(tfpb.DataType_DT_QUINT16),
	"qint32":  tensor.DType(tfpb.DataType_DT_QINT32),
}

// tfTypeNames are the element type names TensorFlow's DataTypeFromString
// accepts in an op spec, beside the quantized ones.
var tfTypeNames = []string{
	"float", "float32", "double", "float64", "half", "float16", "bfloat16",
	"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
	"bool", "string", "complex64", "complex128", "resource", "variant",
}

// dtypeByName resolves an element type name of an op spec.
func dtypeByName(name string) (tensor.DType, bool) {
	if t, ok := quantizedTypes[name]; ok {
		return t, true
	}
	if !slices.Contains(tfTypeNames, name) {
		return tensor.Invalid, false
	}
	t, err := tensor.ParseDType(name)
	return t, err == nil
}

// dtypeName is the spec name of t, for messages.
func dtypeName(t tensor.DType) string {
	for name, q := range quantizedTypes {
		if q == t {
			return name
		}
	}
	return t.String()
}

// typeClasses are TensorFlow's named type sets (types.h), each in DataType
// enum order as OpDefBuilder expands them, under the names OpDefBuilder
// accepts.
var typeClasses = func() map[string][]tensor.DType {
	q := quantizedTypes
	// kNumberTypes: the real, complex and quantized qint8, quint8, qint32.
	number := []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Uint8, tensor.Int16,
		tensor.Int8, tensor.Complex64, tensor.Int64, q["qint8"], q["quint8"], q["qint32"], tensor.BFloat16,
		tensor.Uint16, tensor.Complex128, tensor.Float16, tensor.Uint32, tensor.Uint64}
	// kRealNumberTypes: the types with an order.
	real := []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Uint8, tensor.Int16,
		tensor.Int8, tensor.Int64, tensor.BFloat16, tensor.Uint16, tensor.Float16, tensor.Uint32, tensor.Uint64}
	quantized := []tensor.DType{q["qint8"], q["quint8"], q["qint32"], q["qint16"], q["quint16"]}
	return map[string][]tensor.DType{
		"numbertype": number, "numerictype": number,
		"realnumbertype": real, "realnumerictype": real,
		"quantizedtype": quantized,
	}
}()

// ---------------------------------------------------------------------------
// Parsing ops.txt.

// parseSignatures parses the signature table in src; file names it in
// errors, which say "file:line: what is wrong".
func parseSignatures(file, src string) (map[string]*Signature, error) {
	p := &sigParser{file: file, out: map[string]*Signature{}}
	for i, line := range strings.Split(src, "\n") {
		p.line = i + 1
		if err := p.parseLine(line); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.out, nil
}

type sigParser struct {
	file string
	line int
	out  map[string]*Signature
	cur  *Signature
	// opLine is where cur began, for errors found when it ends.
	opLine int
	// rawArgs are cur's arguments as written, resolved once its attributes
	// are known; stateful records an explicit "stateful" line.
	rawArgs  []rawArg
	stateful bool
}

// rawArg is an argument before its type names are resolved.
type rawArg struct {
	output     bool
	line       int
	name       string
	ref        bool
	numberAttr string
	typeName   string
}

func (p *sigParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, p.line, fmt.Sprintf(format, args...))
}

func (p *sigParser) parseLine(line string) error {
	if strings.ContainsAny(line, "\t\r") {
		return p.errorf("tab or carriage return")
	}
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nil
	}
	if rest, ok := strings.CutPrefix(line, "op "); ok {
		if err := p.finish(); err != nil {
			return err
		}
		name := strings.TrimSpace(rest)
		if !isIdent(name) {
			return p.errorf("bad op name %q", name)
		}
		if _, dup := p.out[name]; dup {
			return p.errorf("op %s is listed twice", name)
		}
		p.cur, p.opLine, p.rawArgs, p.stateful = &Signature{Op: name}, p.line, nil, false
		return nil
	}
	body, ok := strings.CutPrefix(line, "  ")
	if !ok || strings.HasPrefix(body, " ") {
		return p.errorf("expected \"op NAME\" or a line indented by two spaces: %q", line)
	}
	if p.cur == nil {
		return p.errorf("%q outside an op", trimmed)
	}
	keyword, rest, _ := strings.Cut(trimmed, " ")
	switch keyword {
	case "input", "output":
		a, err := p.parseArg(rest)
		if err != nil {
			return err
		}
		a.output = keyword == "output"
		for _, b := range p.rawArgs {
			if b.output == a.output && b.name == a.name {
				return p.errorf("%s %s: %s %q declared twice", p.cur.Op, keyword, keyword, a.name)
			}
		}
		p.rawArgs = append(p.rawArgs, a)
	case "attr":
		d, err := p.parseAttr(rest)
		if err != nil {
			return err
		}
		if _, dup := p.cur.attrDef(d.Name); dup {
			return p.errorf("%s: attr %q declared twice", p.cur.Op, d.Name)
		}
		p.cur.Attrs = append(p.cur.Attrs, d)
	case "stateful":
		if rest != "" || p.stateful {
			return p.errorf("%s: \"stateful\" takes nothing and appears once", p.cur.Op)
		}
		p.stateful = true
	default:
		return p.errorf("%s: unknown line %q (want input, output, attr or stateful)", p.cur.Op, trimmed)
	}
	return nil
}

// parseArg parses "name: [Ref(][N *] T[)]".
func (p *sigParser) parseArg(spec string) (rawArg, error) {
	name, typ, ok := strings.Cut(spec, ":")
	name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
	if !ok || !isIdent(name) {
		return rawArg{}, p.errorf("%s: bad argument %q (want NAME: TYPE)", p.cur.Op, spec)
	}
	a := rawArg{line: p.line, name: name}
	if inner, ok := strings.CutPrefix(typ, "Ref("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return rawArg{}, p.errorf("%s: argument %s: unclosed Ref(", p.cur.Op, name)
		}
		a.ref, typ = true, strings.TrimSpace(inner)
	}
	if n, t, ok := strings.Cut(typ, "*"); ok {
		a.numberAttr, typ = strings.TrimSpace(n), strings.TrimSpace(t)
		if !isIdent(a.numberAttr) {
			return rawArg{}, p.errorf("%s: argument %s: bad number attr %q", p.cur.Op, name, a.numberAttr)
		}
	}
	if !isIdent(typ) {
		return rawArg{}, p.errorf("%s: argument %s: bad type %q", p.cur.Op, name, typ)
	}
	a.typeName = typ
	return a, nil
}

// parseAttr parses "name: TYPE [>= MIN] [= DEFAULT]".
func (p *sigParser) parseAttr(spec string) (AttrDef, error) {
	name, rest, ok := strings.Cut(spec, ":")
	name, rest = strings.TrimSpace(name), strings.TrimSpace(rest)
	if !ok || !isIdent(name) {
		return AttrDef{}, p.errorf("%s: bad attr %q (want NAME: TYPE)", p.cur.Op, spec)
	}
	d := AttrDef{Name: name}
	fail := func(format string, args ...any) (AttrDef, error) {
		return AttrDef{}, p.errorf("%s: attr %s: %s", p.cur.Op, name, fmt.Sprintf(format, args...))
	}

	// The type: a bare kind, a {...} set or class, or list(...) of either.
	typ, rest, err := cutType(rest)
	if err != nil {
		return fail("%v", err)
	}
	base, isList := strings.CutPrefix(typ, "list(")
	if isList {
		base = strings.TrimSpace(strings.TrimSuffix(base, ")"))
	}
	kind, err := d.setKind(base)
	if err != nil {
		return fail("%v", err)
	}
	d.Type = kind
	if isList {
		d.Type = "list(" + kind + ")"
	}

	if r, ok := strings.CutPrefix(rest, ">="); ok {
		num, after, _ := strings.Cut(strings.TrimSpace(r), " ")
		m, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return fail("bad minimum %q", num)
		}
		if !isList && kind != "int" {
			return fail("a minimum needs an int or a list")
		}
		d.Minimum, rest = &m, strings.TrimSpace(after)
	}
	if r, ok := strings.CutPrefix(rest, "="); ok {
		v, err := parseDefault(d.Type, strings.TrimSpace(r))
		if err != nil {
			return fail("default: %v", err)
		}
		if why := d.checkValue(v); why != "" {
			return fail("default %s", why)
		}
		d.Default, rest = v, ""
	}
	if rest != "" {
		return fail("unexpected %q", rest)
	}
	return d, nil
}

// cutType splits the type off the front of an attr spec: everything up to
// the end or to ">=" or "=" outside brackets and quotes.
func cutType(s string) (typ, rest string, err error) {
	cut := len(s)
	err = topLevel(s, func(i int) bool {
		if s[i] == '=' || s[i] == '>' {
			cut = i
			return false
		}
		return true
	})
	return strings.TrimSpace(s[:cut]), strings.TrimSpace(s[cut:]), err
}

// topLevel calls visit with the index of each byte of s outside quotes and
// brackets, until visit returns false, and reports unbalanced quotes or
// brackets in what it read.
func topLevel(s string, visit func(i int) bool) error {
	depth, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case strings.IndexByte("([{", c) >= 0:
			depth++
		case strings.IndexByte(")]}", c) >= 0:
			if depth--; depth < 0 {
				return fmt.Errorf("unbalanced brackets in %q", s)
			}
		case depth == 0:
			if !visit(i) {
				return nil
			}
		}
	}
	if depth != 0 || quote != 0 {
		return fmt.Errorf("unbalanced quotes or brackets in %q", s)
	}
	return nil
}

// attrKinds are the value kinds an attr spec may name.
var attrKinds = []string{"type", "int", "float", "bool", "string", "shape", "tensor", "func"}

// setKind interprets the element part of an attr type: a kind, a type
// class, or a {...} set of types, type classes or quoted strings. It
// records allowed sets in d and returns the kind.
func (d *AttrDef) setKind(base string) (string, error) {
	if slices.Contains(attrKinds, base) {
		return base, nil
	}
	if types, ok := typeClasses[base]; ok {
		d.AllowedTypes = slices.Clone(types)
		return "type", nil
	}
	inner, ok := strings.CutPrefix(base, "{")
	if !ok {
		return "", fmt.Errorf("unknown type %q", base)
	}
	inner, ok = strings.CutSuffix(inner, "}")
	if !ok {
		return "", fmt.Errorf("unclosed { in %q", base)
	}
	items, err := splitList(inner)
	if err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", errors.New("empty {} set")
	}
	if items[0] != "" && (items[0][0] == '\'' || items[0][0] == '"') {
		for _, it := range items {
			s, err := unquote(it)
			if err != nil {
				return "", err
			}
			d.AllowedValues = append(d.AllowedValues, s)
		}
		return "string", nil
	}
	for _, it := range items {
		if types, ok := typeClasses[it]; ok {
			for _, t := range types {
				if !slices.Contains(d.AllowedTypes, t) {
					d.AllowedTypes = append(d.AllowedTypes, t)
				}
			}
			continue
		}
		t, ok := dtypeByName(it)
		if !ok {
			return "", fmt.Errorf("unknown type %q in the allowed set", it)
		}
		if !slices.Contains(d.AllowedTypes, t) {
			d.AllowedTypes = append(d.AllowedTypes, t)
		}
	}
	return "type", nil
}

// splitList splits s at commas outside quotes and brackets and trims the
// parts; an all-blank s gives no parts.
func splitList(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var parts []string
	start := 0
	err := topLevel(s, func(i int) bool {
		if s[i] == ',' {
			parts = append(parts, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	parts = append(parts, strings.TrimSpace(s[start:]))
	for _, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("empty element in %q", s)
		}
	}
	return parts, nil
}

// unquote reads a '...' or "..." literal with C escapes, as TensorFlow's
// text format does.
func unquote(s string) (string, error) {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", fmt.Errorf("not a quoted string: %s", s)
	}
	var b strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == s[0] {
			return "", fmt.Errorf("unescaped quote in %s", s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", fmt.Errorf("trailing backslash in %s", s)
		}
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\', '\'', '"':
			b.WriteByte(body[i])
		default:
			return "", fmt.Errorf("unknown escape \\%c in %s", body[i], s)
		}
	}
	return b.String(), nil
}

// parseDefault parses the default value of an attribute of type typ.
func parseDefault(typ, s string) (*tfpb.AttrValue, error) {
	if s == "" {
		return nil, errors.New("missing value")
	}
	if base, ok := strings.CutPrefix(typ, "list("); ok {
		base = strings.TrimSuffix(base, ")")
		inner, ok := strings.CutPrefix(s, "[")
		if !ok {
			return nil, fmt.Errorf("%q is not a [...] list", s)
		}
		if inner, ok = strings.CutSuffix(inner, "]"); !ok {
			return nil, fmt.Errorf("unclosed [ in %q", s)
		}
		items, err := splitList(inner)
		if err != nil {
			return nil, err
		}
		l := &tfpb.AttrValue_ListValue{}
		for _, it := range items {
			v, err := parseDefault(base, it)
			if err != nil {
				return nil, err
			}
			switch x := v.GetValue().(type) {
			case *tfpb.AttrValue_Type:
				l.Type = append(l.Type, x.Type)
			case *tfpb.AttrValue_I:
				l.I = append(l.I, x.I)
			case *tfpb.AttrValue_F:
				l.F = append(l.F, x.F)
			case *tfpb.AttrValue_B:
				l.B = append(l.B, x.B)
			case *tfpb.AttrValue_S:
				l.S = append(l.S, x.S)
			case *tfpb.AttrValue_Shape:
				l.Shape = append(l.Shape, x.Shape)
			}
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: l}}, nil
	}
	switch typ {
	case "type":
		name, ok := strings.CutPrefix(s, "DT_")
		if !ok {
			return nil, fmt.Errorf("type default %q is not DT_NAME", s)
		}
		t, ok := dtypeByName(strings.ToLower(name))
		if !ok {
			return nil, fmt.Errorf("unknown type %q", s)
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_Type{Type: tfpb.DataType(t)}}, nil
	case "int":
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an int", s)
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_I{I: i}}, nil
	case "float":
		f, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not a float", s)
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_F{F: float32(f)}}, nil
	case "bool":
		b, err := strconv.ParseBool(s)
		if err != nil || (s != "true" && s != "false") {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_B{B: b}}, nil
	case "string":
		str, err := unquote(s)
		if err != nil {
			return nil, err
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_S{S: []byte(str)}}, nil
	case "shape":
		sh, err := parseShape(s)
		if err != nil {
			return nil, err
		}
		return &tfpb.AttrValue{Value: &tfpb.AttrValue_Shape{Shape: sh}}, nil
	}
	return nil, fmt.Errorf("a %s attribute cannot have a default here", typ)
}

// parseShape reads the TensorShapeProto text TensorFlow writes for shape
// defaults: "{ unknown_rank: true }", "{}" (a scalar) or
// "{ dim { size: 2 } dim { size: -1 } }".
func parseShape(s string) (*tfpb.TensorShapeProto, error) {
	inner, ok := strings.CutPrefix(s, "{")
	if ok {
		inner, ok = strings.CutSuffix(inner, "}")
	}
	if !ok {
		return nil, fmt.Errorf("shape %q is not {...}", s)
	}
	sh := &tfpb.TensorShapeProto{}
	f := strings.Fields(strings.NewReplacer("{", " { ", "}", " } ", ":", " : ").Replace(inner))
	for len(f) > 0 {
		switch {
		case len(f) >= 3 && f[0] == "unknown_rank" && f[1] == ":" && (f[2] == "true" || f[2] == "false"):
			sh.UnknownRank = f[2] == "true"
			f = f[3:]
		case len(f) >= 6 && f[0] == "dim" && f[1] == "{" && f[2] == "size" && f[3] == ":" && f[5] == "}":
			n, err := strconv.ParseInt(f[4], 10, 64)
			if err != nil || n < -1 {
				return nil, fmt.Errorf("bad dimension %q in shape %q", f[4], s)
			}
			sh.Dim = append(sh.Dim, &tfpb.TensorShapeProto_Dim{Size: n})
			f = f[6:]
		default:
			return nil, fmt.Errorf("cannot read shape %q", s)
		}
	}
	if sh.UnknownRank && len(sh.Dim) > 0 {
		return nil, fmt.Errorf("shape %q has dimensions and an unknown rank", s)
	}
	return sh, nil
}

// finish resolves the arguments of the op being read and stores it.
func (p *sigParser) finish() error {
	s := p.cur
	if s == nil {
		return nil
	}
	p.cur = nil
	s.Stateful = p.stateful
	for _, a := range p.rawArgs {
		arg, err := p.resolveArg(s, a)
		if err != nil {
			return err
		}
		if arg.Type == tensor.Resource {
			// OpDefBuilder makes every op with a resource argument stateful.
			s.Stateful = true
		}
		if a.output {
			s.Outputs = append(s.Outputs, arg)
		} else {
			s.Inputs = append(s.Inputs, arg)
		}
	}
	p.out[s.Op] = s
	return nil
}

func (p *sigParser) resolveArg(s *Signature, a rawArg) (Arg, error) {
	fail := func(format string, args ...any) (Arg, error) {
		return Arg{}, fmt.Errorf("%s:%d: %s: argument %s: %s", p.file, a.line, s.Op, a.name, fmt.Sprintf(format, args...))
	}
	arg := Arg{Name: a.name, Ref: a.ref, NumberAttr: a.numberAttr}
	if a.numberAttr != "" {
		d, ok := s.attrDef(a.numberAttr)
		if !ok || d.Type != "int" {
			return fail("number attr %q is not an int attr of the op", a.numberAttr)
		}
		if d.Minimum == nil {
			one := int64(1)
			d.Minimum = &one
		}
	}
	if t, ok := dtypeByName(a.typeName); ok {
		arg.Type = t
		return arg, nil
	}
	d, ok := s.attrDef(a.typeName)
	if !ok {
		return fail("%q is neither a type nor an attr of the op", a.typeName)
	}
	switch {
	case d.Type == "type":
		arg.TypeAttr = d.Name
	case d.Type == "list(type)" && a.numberAttr == "":
		arg.TypeListAttr = d.Name
	default:
		return fail("attr %q of type %s cannot give its type", d.Name, d.Type)
	}
	return arg, nil
}

// isIdent reports whether s is a TensorFlow op, argument or attr name.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
