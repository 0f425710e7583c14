// Command gocheck is the Go toolchain's view of one generated Go file, for
// regc's property tests: it parses the file on stdin with go/parser,
// type-checks it with go/types (the compiler's front end; the file may import
// nothing), and prints as JSON its package name and the value of every
// package-level variable that is a map literal of type map[string]string or
// map[string][]string, each string evaluated by the type checker. A file that
// does not parse or type-check is reported on stderr with exit status 1.
//
// With -quote it reads a JSON list of strings instead and prints the list of
// their strconv.Quote forms.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"strconv"
)

type result struct {
	Package string                 `json:"package"`
	Vars    map[string]interface{} `json:"vars"`
}

func main() {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	if len(os.Args) > 1 && os.Args[1] == "-quote" {
		quote(src)
		return
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments)
	if err != nil {
		fail(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}}
	conf := types.Config{Error: func(err error) { fail(err) }}
	if _, err := conf.Check(file.Name.Name, fset, []*ast.File{file}, info); err != nil {
		fail(err)
	}
	out := result{Package: file.Name.Name, Vars: map[string]interface{}{}}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR {
			continue
		}
		for _, spec := range gen.Specs {
			value := spec.(*ast.ValueSpec)
			for i, name := range value.Names {
				lit, ok := value.Values[i].(*ast.CompositeLit)
				if !ok {
					continue
				}
				switch info.Types[lit].Type.String() {
				case "map[string]string":
					out.Vars[name.Name] = stringMap(info, lit)
				case "map[string][]string":
					out.Vars[name.Name] = listMap(info, lit)
				}
			}
		}
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(out); err != nil {
		fail(err)
	}
}

func stringMap(info *types.Info, lit *ast.CompositeLit) map[string]string {
	values := map[string]string{}
	for _, elt := range lit.Elts {
		pair := elt.(*ast.KeyValueExpr)
		values[str(info, pair.Key)] = str(info, pair.Value)
	}
	return values
}

func listMap(info *types.Info, lit *ast.CompositeLit) map[string][]string {
	values := map[string][]string{}
	for _, elt := range lit.Elts {
		pair := elt.(*ast.KeyValueExpr)
		list := []string{}
		for _, item := range pair.Value.(*ast.CompositeLit).Elts {
			list = append(list, str(info, item))
		}
		values[str(info, pair.Key)] = list
	}
	return values
}

// str is the value the type checker gives a constant string expression.
func str(info *types.Info, expr ast.Expr) string {
	value := info.Types[expr].Value
	if value == nil || value.Kind() != constant.String {
		fail(fmt.Errorf("not a constant string: %T", expr))
	}
	return constant.StringVal(value)
}

func quote(src []byte) {
	var texts []string
	if err := json.Unmarshal(src, &texts); err != nil {
		fail(err)
	}
	quoted := []string{}
	for _, text := range texts {
		quoted = append(quoted, strconv.Quote(text))
	}
	if err := json.NewEncoder(os.Stdout).Encode(quoted); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
