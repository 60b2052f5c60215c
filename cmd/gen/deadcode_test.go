package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// These tests read the generated validation source the way a reviewer would
// and fail on code that cannot matter: a length guard or check whose outcome
// the enclosing branches already decide, a condition tested again where its
// value is known, and two reports that can both fire for one field (a field
// reported missing must not also break other rules). They scan the golden
// spec, the real spec and deadCodeSpec, which holds one instance of each
// shape that once produced such code, so none of them can come back even if
// the specs change.

// deadCodeSpec has, in order: a required string of minLength 1 (its
// minLength check was dead behind the required check); lengths where
// 4*(minLength-1) >= maxLength (the byte-length guard was always true); a
// minLength 1 string that needs no rune count; a required object nested in
// a required object of one property (the inner required check repeated the
// outer); a required and an optional variant holder (a missing holder was
// reported as required and as a broken variant); and unique-by over a
// required key (two missing keys were reported as duplicates).
const deadCodeSpec = `openapi: 3.0.3
info: {title: dead code shapes, version: '1'}
paths:
  /b:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Body'}
      responses:
        '200': {description: ok}
  /c:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Loose'}
      responses:
        '200': {description: ok}
components:
  schemas:
    Money:
      type: object
      required: [value, currency]
      properties:
        value: {type: integer, format: int64, minimum: 1}
        currency: {type: string, pattern: '^[A-Z]{3}$'}
    Option:
      type: object
      minProperties: 1
      properties:
        a: {$ref: '#/components/schemas/Money'}
        b: {$ref: '#/components/schemas/Money'}
    Body:
      type: object
      required: [ref, code, card, wrapper, kind, option, entries]
      x-pinegen-variants:
        discriminator: kind
        property: option
        variants: {A: [a], B: [b]}
      properties:
        ref: {type: string, minLength: 1, maxLength: 50}
        code: {type: string, minLength: 2, maxLength: 4}
        card: {type: string, minLength: 12, maxLength: 19, pattern: '^[0-9]+$'}
        note: {type: string, minLength: 1}
        pin: {type: string, minLength: 3}
        wide: {type: string, minLength: 2, maxLength: 100}
        wrapper:
          type: object
          required: [inner]
          properties:
            inner:
              type: object
              required: [amount]
              properties:
                amount: {$ref: '#/components/schemas/Money'}
        kind: {type: string, enum: [A, B]}
        option: {$ref: '#/components/schemas/Option'}
        entries:
          type: array
          x-pinegen-unique-by: key
          items:
            type: object
            required: [key]
            properties:
              key: {type: string, minLength: 1}
    Loose:
      type: object
      x-pinegen-variants:
        discriminator: kind
        property: option
        variants: {A: [a], B: [b]}
      properties:
        kind: {type: string, enum: [A, B]}
        option: {$ref: '#/components/schemas/Option'}
`

// scannedSources generates the validation file of every spec the scans cover.
func scannedSources(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	gen := func(name string, m *goModel) {
		src, err := generateValidation(m, "p", name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = src
	}
	gen("rules.yaml", loadTestModel(t, rulesSpec, rulesConfig))
	gen("pinelabs.yaml", loadTestModel(t, "../../spec/pinelabs.yaml", "../../spec/oapi-codegen.yaml"))
	doc, err := openapi3.NewLoader().LoadFromData([]byte(deadCodeSpec))
	if err != nil {
		t.Fatal(err)
	}
	gen("deadCodeSpec", testModel(t, doc, rulesConfig))
	return out
}

func parseGenerated(t *testing.T, name string, src []byte) (*token.FileSet, *ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return fset, f
}

// TestNoDeadBranches: no if in a generated validate method has an outcome
// that the branches around it already settle.
func TestNoDeadBranches(t *testing.T) {
	for name, src := range scannedSources(t) {
		fset, f := parseGenerated(t, name, src)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || strings.HasPrefix(fn.Name.Name, "matchPattern") {
				continue
			}
			s := &branchScan{fset: fset, report: func(pos token.Pos, msg string) {
				t.Errorf("%s: %s", fset.Position(pos), msg)
			}}
			s.block(fn.Body.List, newFacts())
		}
	}
}

// lengthLimit bounds the lengths tracked exactly; the last slot stands for
// every length from lengthLimit up, which compares alike against any
// constant below it.
const lengthLimit = 2048

// lengths is a set of possible string byte lengths.
type lengths [lengthLimit + 1]bool

func allLengths() *lengths {
	var s lengths
	for i := range s {
		s[i] = true
	}
	return &s
}

func (s *lengths) empty() bool { return *s == lengths{} }

// runeCount is what a rune-count variable can hold, for each byte length of
// the string it counted: n[l] is the closed range lo..hi, empty when lo > hi.
type runeCount struct{ lo, hi [lengthLimit + 1]int }

// countOf is utf8.RuneCountInString of a string whose byte length is in s:
// a rune takes one to four bytes, and each invalid byte counts as one rune.
func countOf(s *lengths) *runeCount {
	var r runeCount
	for l, in := range s {
		r.lo[l], r.hi[l] = 1, 0
		if in {
			r.lo[l], r.hi[l] = (l+3)/4, l
		}
	}
	r.hi[lengthLimit] = 1 << 30 // the last slot is every longer string
	if !s[lengthLimit] {
		r.hi[lengthLimit] = 0
	}
	return &r
}

// split divides r by n op c into the part where it holds and the rest.
func (r *runeCount) split(op token.Token, c int) (yes, no *runeCount) {
	yes, no = &runeCount{}, &runeCount{}
	for l := range r.lo {
		lo, hi := r.lo[l], r.hi[l]
		yes.lo[l], yes.hi[l], no.lo[l], no.hi[l] = lo, hi, lo, hi
		switch op {
		case token.LSS:
			yes.hi[l], no.lo[l] = min(hi, c-1), max(lo, c)
		case token.LEQ:
			yes.hi[l], no.lo[l] = min(hi, c), max(lo, c+1)
		case token.GTR:
			yes.lo[l], no.hi[l] = max(lo, c+1), min(hi, c)
		case token.GEQ:
			yes.lo[l], no.hi[l] = max(lo, c), min(hi, c-1)
		}
	}
	return yes, no
}

func (r *runeCount) empty() bool {
	for l := range r.lo {
		if r.lo[l] <= r.hi[l] {
			return false
		}
	}
	return true
}

// byLengthAlone reports whether yes and no never share a byte length: the
// comparison could have been made on the byte length without counting.
func byLengthAlone(yes, no *runeCount) bool {
	for l := range yes.lo {
		if yes.lo[l] <= yes.hi[l] && no.lo[l] <= no.hi[l] {
			return false
		}
	}
	return true
}

// facts is what the enclosing branches established.
type facts struct {
	byteLen map[string]*lengths   // string expression -> possible byte lengths
	runes   map[string]*runeCount // rune-count variable -> possible counts
	known   map[string]bool       // condition text -> its value
	alias   map[string]string     // xN -> the expression it points at
}

func newFacts() *facts {
	return &facts{byteLen: map[string]*lengths{}, runes: map[string]*runeCount{}, known: map[string]bool{}, alias: map[string]string{}}
}

func (f *facts) clone() *facts {
	c := newFacts()
	for k, v := range f.byteLen {
		c.byteLen[k] = v
	}
	for k, v := range f.runes {
		c.runes[k] = v
	}
	for k, v := range f.known {
		c.known[k] = v
	}
	for k, v := range f.alias {
		c.alias[k] = v
	}
	return c
}

var identRE = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\b`)

// text renders e with the aliases of f resolved, so v.A.B and x2.B (after
// x2 := &v.A) read the same.
func (f *facts) text(e ast.Expr) string {
	s := types.ExprString(e)
	return identRE.ReplaceAllStringFunc(s, func(id string) string {
		if a, ok := f.alias[id]; ok {
			return a
		}
		return id
	})
}

func (f *facts) byteLength(expr string) *lengths {
	if s, ok := f.byteLen[expr]; ok {
		return s
	}
	return allLengths()
}

// byteCond evaluates cond as a condition on the byte length of one string
// expression (len(x) against constants, x == "", joined by ||, && and !);
// ok is false for any other condition.
func (f *facts) byteCond(cond ast.Expr) (expr string, holds func(int) bool, ok bool) {
	switch c := cond.(type) {
	case *ast.ParenExpr:
		return f.byteCond(c.X)
	case *ast.UnaryExpr:
		if c.Op != token.NOT {
			return "", nil, false
		}
		x, h, ok := f.byteCond(c.X)
		return x, func(n int) bool { return !h(n) }, ok
	case *ast.BinaryExpr:
		if c.Op == token.LOR || c.Op == token.LAND {
			xa, ha, oka := f.byteCond(c.X)
			xb, hb, okb := f.byteCond(c.Y)
			if !oka || !okb || xa != xb {
				return "", nil, false
			}
			if c.Op == token.LOR {
				return xa, func(n int) bool { return ha(n) || hb(n) }, true
			}
			return xa, func(n int) bool { return ha(n) && hb(n) }, true
		}
		lit, isLit := c.Y.(*ast.BasicLit)
		if !isLit {
			return "", nil, false
		}
		limit := 0
		switch {
		case lit.Kind == token.STRING && lit.Value == `""` && (c.Op == token.EQL || c.Op == token.NEQ):
			expr = f.text(c.X)
		case lit.Kind == token.INT:
			n, err := strconv.Atoi(lit.Value)
			call, isCall := c.X.(*ast.CallExpr)
			if err != nil || n >= lengthLimit || !isCall || types.ExprString(call.Fun) != "len" {
				return "", nil, false
			}
			expr, limit = f.text(call.Args[0]), n
		default:
			return "", nil, false
		}
		return expr, func(n int) bool { return compare(n, c.Op, limit) }, true
	}
	return "", nil, false
}

func compare(n int, op token.Token, c int) bool {
	switch op {
	case token.LSS:
		return n < c
	case token.LEQ:
		return n <= c
	case token.GTR:
		return n > c
	case token.GEQ:
		return n >= c
	case token.EQL:
		return n == c
	}
	return n != c
}

// runeCond recognises n op c on a rune-count variable.
func (f *facts) runeCond(cond ast.Expr) (name string, op token.Token, c int, ok bool) {
	b, isBin := ast.Unparen(cond).(*ast.BinaryExpr)
	if !isBin {
		return "", 0, 0, false
	}
	id, isID := b.X.(*ast.Ident)
	lit, isLit := b.Y.(*ast.BasicLit)
	if !isID || !isLit || lit.Kind != token.INT || f.runes[id.Name] == nil {
		return "", 0, 0, false
	}
	switch b.Op {
	case token.LSS, token.LEQ, token.GTR, token.GEQ:
	default:
		return "", 0, 0, false
	}
	c, err := strconv.Atoi(lit.Value)
	return id.Name, b.Op, c, err == nil && c < lengthLimit
}

type branchScan struct {
	fset   *token.FileSet
	report func(token.Pos, string)
}

func (s *branchScan) block(list []ast.Stmt, f *facts) {
	for _, st := range list {
		s.stmt(st, f)
	}
}

func (s *branchScan) stmt(st ast.Stmt, f *facts) {
	switch st := st.(type) {
	case *ast.AssignStmt:
		if st.Tok != token.DEFINE || len(st.Lhs) != 1 || len(st.Rhs) != 1 {
			return
		}
		id, ok := st.Lhs[0].(*ast.Ident)
		if !ok {
			return
		}
		rhs := st.Rhs[0]
		if call, ok := rhs.(*ast.CallExpr); ok && types.ExprString(call.Fun) == "utf8.RuneCountInString" {
			f.runes[id.Name] = countOf(f.byteLength(f.text(call.Args[0])))
			return
		}
		if u, ok := rhs.(*ast.UnaryExpr); ok && u.Op == token.AND {
			rhs = u.X
		}
		if strings.HasPrefix(id.Name, "x") {
			f.alias[id.Name] = f.text(rhs)
		}
	case *ast.BlockStmt:
		s.block(st.List, f.clone())
	case *ast.IfStmt:
		s.ifStmt(st, f)
	case *ast.SwitchStmt:
		for _, c := range st.Body.List {
			s.block(c.(*ast.CaseClause).Body, f.clone())
		}
	case *ast.ForStmt:
		s.block(st.Body.List, f.clone())
	case *ast.RangeStmt:
		s.block(st.Body.List, f.clone())
	}
}

func (s *branchScan) ifStmt(st *ast.IfStmt, f *facts) {
	if st.Init != nil {
		s.stmt(st.Init, f)
	}
	body, els := f.clone(), f.clone()
	src := types.ExprString(st.Cond)
	if expr, holds, ok := f.byteCond(st.Cond); ok {
		before := f.byteLength(expr)
		var yes, no lengths
		for n, in := range before {
			yes[n], no[n] = in && holds(n), in && !holds(n)
		}
		switch {
		case yes.empty():
			s.report(st.Pos(), fmt.Sprintf("`if %s` can never be true here", src))
		case no.empty():
			s.report(st.Pos(), fmt.Sprintf("`if %s` is always true here", src))
		}
		body.byteLen[expr], els.byteLen[expr] = &yes, &no
	} else if name, op, c, ok := f.runeCond(st.Cond); ok {
		yes, no := f.runes[name].split(op, c)
		switch {
		case yes.empty():
			s.report(st.Pos(), fmt.Sprintf("`if %s` can never be true here", src))
		case no.empty():
			s.report(st.Pos(), fmt.Sprintf("`if %s` is always true here", src))
		case byLengthAlone(yes, no):
			s.report(st.Pos(), fmt.Sprintf("`if %s` follows from the byte length: no rune count is needed", src))
		}
		body.runes[name], els.runes[name] = yes, no
	} else {
		c := f.text(st.Cond)
		if val, ok := f.known[c]; ok {
			s.report(st.Pos(), fmt.Sprintf("`if %s` is already known to be %v here", src, val))
		}
		body.known[c], els.known[c] = true, false
	}
	s.block(st.Body.List, body)
	if st.Else != nil {
		s.stmt(st.Else, els)
	}
}

// reportSite is one call that records a failure.
type reportSite struct {
	pos  token.Pos
	path string // canonical: $ for the root, .name, [i], {k}
	rule string
	arms []branchArm // enclosing branches, outermost first
}

// branchArm is which arm of a branching statement a site sits in.
type branchArm struct {
	node ast.Node
	arm  int
}

// neverBoth reports whether a and b can never both run in one call: some
// branching statement holds them in different arms.
func neverBoth(a, b reportSite) bool {
	for _, x := range a.arms {
		for _, y := range b.arms {
			if x.node == y.node && x.arm != y.arm {
				return true
			}
		}
	}
	return false
}

var reportMethods = map[string]bool{"Add": true, "Length": true, "Int": true, "Float": true, "Text": true, "String": true, "Sensitive": true}

// TestOneReportPerFieldAndRule: within a validate method, two reports of the
// same rule for the same field, or a required report and any other report
// for the same field, always sit in different arms of one branch.
func TestOneReportPerFieldAndRule(t *testing.T) {
	for name, src := range scannedSources(t) {
		fset, f := parseGenerated(t, name, src)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			sites := collectReports(fn.Body)
			for i, a := range sites {
				for _, b := range sites[i+1:] {
					if a.path != b.path || (a.rule != b.rule && a.rule != "Required" && b.rule != "Required") {
						continue
					}
					if !neverBoth(a, b) {
						t.Errorf("%s: %s: %s at %s and %s at %s can both be reported", name, fn.Name.Name,
							a.rule, fset.Position(a.pos), b.rule, fset.Position(b.pos))
					}
				}
			}
		}
	}
}

// collectReports finds every failure report in body with its field and the
// branch arms around it.
func collectReports(body *ast.BlockStmt) []reportSite {
	paths := map[string]string{"p": "$"}
	var sites []reportSite
	pathOf := func(e ast.Expr) string {
		e = ast.Unparen(e)
		if u, ok := e.(*ast.UnaryExpr); ok {
			e = u.X
		}
		if st, ok := ast.Unparen(e).(*ast.StarExpr); ok {
			e = st.X
		}
		if id, ok := e.(*ast.Ident); ok {
			if p, ok := paths[id.Name]; ok {
				return p
			}
		}
		return "?" + types.ExprString(e)
	}
	var walk func(n ast.Node, arms []branchArm)
	walkList := func(list []ast.Stmt, arms []branchArm) {
		for _, st := range list {
			walk(st, arms)
		}
	}
	with := func(arms []branchArm, node ast.Node, arm int) []branchArm {
		return append(append([]branchArm{}, arms...), branchArm{node, arm})
	}
	walk = func(n ast.Node, arms []branchArm) {
		switch n := n.(type) {
		case *ast.IfStmt:
			walkList(n.Body.List, with(arms, n, 0))
			if n.Else != nil {
				walk(n.Else, with(arms, n, 1))
			}
			return
		case *ast.SwitchStmt:
			for i, c := range n.Body.List {
				walkList(c.(*ast.CaseClause).Body, with(arms, n, i))
			}
			return
		case *ast.BlockStmt:
			walkList(n.List, arms)
			return
		case *ast.ForStmt:
			walkList(n.Body.List, arms)
			return
		case *ast.RangeStmt:
			walkList(n.Body.List, arms)
			return
		case *ast.AssignStmt:
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				id, _ := n.Lhs[0].(*ast.Ident)
				call, _ := n.Rhs[0].(*ast.CallExpr)
				if id != nil && call != nil {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && len(call.Args) == 1 {
						arg := types.ExprString(call.Args[0])
						switch sel.Sel.Name {
						case "Field":
							arg, _ = strconv.Unquote(arg)
							paths[id.Name] = pathOf(sel.X) + "." + arg
						case "Index":
							paths[id.Name] = pathOf(sel.X) + "[" + arg + "]"
						case "Key":
							paths[id.Name] = pathOf(sel.X) + "{" + arg + "}"
						}
					}
				}
			}
			return
		case *ast.ExprStmt:
			call, ok := n.X.(*ast.CallExpr)
			if !ok {
				return
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || types.ExprString(sel.X) != "e" || !reportMethods[sel.Sel.Name] || len(call.Args) < 2 {
				return
			}
			rule := types.ExprString(call.Args[1])
			rule = rule[strings.LastIndex(rule, ".")+1:]
			sites = append(sites, reportSite{pos: call.Pos(), path: pathOf(call.Args[0]), rule: rule, arms: arms})
		}
	}
	walkList(body.List, nil)
	return sites
}
