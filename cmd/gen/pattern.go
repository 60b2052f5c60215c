package main

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
)

// patterns gives every distinct `pattern` of the spec one package-level
// matcher. Anchored runs of one ASCII character class (`^[0-9]+$`,
// `^[A-Z]{3}$`), which is most of them, become a byte loop; anything else is
// a regexp compiled once at package init. Both agree with Go's regexp, which
// is what kin-openapi uses.
type patterns struct {
	byText map[string]string // pattern -> matcher name
}

func newPatterns() *patterns { return &patterns{byText: map[string]string{}} }

// add registers a pattern and returns the Go expression matching s against it.
func (p *patterns) add(pattern string) (func(s string) jen.Code, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if _, ok := p.byText[pattern]; !ok {
		p.byText[pattern] = "" // named in sorted order by code()
	}
	return func(s string) jen.Code {
		return jen.Id(p.name(pattern)).Call(jen.Id(s))
	}, nil
}

// name is stable for a given spec: matchers are numbered by sorted pattern.
func (p *patterns) name(pattern string) string {
	texts := sortedKeys(p.byText)
	i := sort.SearchStrings(texts, pattern)
	return "matchPattern" + strconv.Itoa(i)
}

// code emits every matcher, in sorted order, each with its doc comment.
func (p *patterns) code() []jen.Code {
	var out []jen.Code
	for _, text := range sortedKeys(p.byText) {
		name := p.name(text)
		doc := jen.Comment(fmt.Sprintf("%s reports whether s matches %s.", name, text)).Line()
		if run, ok := simpleRun(text); ok {
			out = append(out, doc.Add(run.matcher(name)))
			continue
		}
		re := name + "Regexp"
		out = append(out,
			jen.Var().Id(re).Op("=").Qual("regexp", "MustCompile").Call(jen.Lit(text)),
			doc.Func().Id(name).Params(jen.Id("s").String()).Bool().Block(
				jen.Return(jen.Id(re).Dot("MatchString").Call(jen.Id("s"))),
			),
		)
	}
	return out
}

// charRun is ^[class]{min,max}$ over ASCII characters; max < 0 means no bound.
type charRun struct {
	ranges   []rune // pairs lo, hi
	min, max int
}

func simpleRun(pattern string) (charRun, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) != 3 ||
		re.Sub[0].Op != syntax.OpBeginText || re.Sub[2].Op != syntax.OpEndText {
		return charRun{}, false
	}
	body := re.Sub[1]
	run := charRun{min: 1, max: 1}
	switch body.Op {
	case syntax.OpPlus:
		run.min, run.max, body = 1, -1, body.Sub[0]
	case syntax.OpStar:
		run.min, run.max, body = 0, -1, body.Sub[0]
	case syntax.OpQuest:
		run.min, run.max, body = 0, 1, body.Sub[0]
	case syntax.OpRepeat:
		run.min, run.max, body = body.Min, body.Max, body.Sub[0]
	}
	switch body.Op {
	case syntax.OpCharClass:
		run.ranges = body.Rune
	case syntax.OpLiteral:
		if len(body.Rune) != 1 || body.Flags&syntax.FoldCase != 0 {
			return charRun{}, false
		}
		run.ranges = []rune{body.Rune[0], body.Rune[0]}
	default:
		return charRun{}, false
	}
	for _, r := range run.ranges {
		if r >= 0x80 {
			return charRun{}, false // multi-byte classes need rune decoding: leave to regexp
		}
	}
	return run, true
}

// matcher emits func name(s string) bool. Bytes of multi-byte runes are all
// >= 0x80 and so outside an ASCII class, which makes byte counting exact.
func (r charRun) matcher(name string) jen.Code {
	var body []jen.Code
	var lenChecks []string
	switch {
	case r.min == r.max:
		lenChecks = append(lenChecks, fmt.Sprintf("len(s) != %d", r.min))
	case r.min == 1 && r.max < 0:
		lenChecks = append(lenChecks, "len(s) == 0")
	default:
		if r.min > 0 {
			lenChecks = append(lenChecks, fmt.Sprintf("len(s) < %d", r.min))
		}
		if r.max >= 0 {
			lenChecks = append(lenChecks, fmt.Sprintf("len(s) > %d", r.max))
		}
	}
	if len(lenChecks) > 0 {
		body = append(body, jen.If(jen.Id(strings.Join(lenChecks, " || "))).Block(jen.Return(jen.False())))
	}
	var conds []string
	for i := 0; i < len(r.ranges); i += 2 {
		lo, hi := r.ranges[i], r.ranges[i+1]
		if lo == hi {
			conds = append(conds, "c == "+strconv.QuoteRune(lo))
		} else {
			conds = append(conds, fmt.Sprintf("%s <= c && c <= %s", strconv.QuoteRune(lo), strconv.QuoteRune(hi)))
		}
	}
	body = append(body,
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Len(jen.Id("s")), jen.Id("i").Op("++")).Block(
			jen.If(jen.Id("c").Op(":=").Id("s").Index(jen.Id("i")), jen.Op("!").Parens(jen.Id(strings.Join(conds, " || ")))).Block(
				jen.Return(jen.False()),
			),
		),
		jen.Return(jen.True()),
	)
	return jen.Func().Id(name).Params(jen.Id("s").String()).Bool().Block(body...)
}
